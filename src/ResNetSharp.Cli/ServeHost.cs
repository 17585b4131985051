using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ResNetSharp.Serving;
using ResNetSharp.Serving.Hosting;

namespace ResNetSharp.Cli;

/// <summary>The web app behind <c>resnet serve</c>: the serving package's endpoints, OpenAPI at /openapi/v1.json, and graceful shutdown.</summary>
internal static class ServeHost
{
    /// <summary>
    /// The app, not started: <paramref name="options"/> with what the configuration's <c>ResNetClassifier</c> section
    /// sets (appsettings.json, environment variables, then <paramref name="configFile"/>, a JSON file of the same
    /// shape), then <paramref name="flags"/> (the flags given on the command line, which win). <paramref name="configure"/>
    /// may change the builder (the tests put a test server in). Shutdown (SIGTERM, Ctrl-C) waits up to the request
    /// timeout for accepted requests to be answered.
    /// </summary>
    public static WebApplication Build(ResNetClassifierOptions options, Action<WebApplicationBuilder>? configure = null,
        string? configFile = null, Action<ResNetClassifierOptions>? flags = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        ServeConfiguration.Bind(builder.Configuration, configFile, options);
        flags?.Invoke(options);
        builder.Services.AddResNetClassifier(options);
        builder.Services.AddOpenApi();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.TimeoutS + 5));
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapOpenApi().RequireAuthorization(ServingExtensions.AuthorizationPolicy);
        app.MapResNetClassifier();
        return app;
    }

    /// <summary>
    /// What the start line says once every model has loaded or failed to: the one model, its engine and device; or each
    /// model of the repository and those unavailable (each also logged with its reason). Throws, stopping the app, when
    /// no model loaded: the one model's load error, or one line for the repository.
    /// </summary>
    private static string Loaded(ResNetClassifierRegistry registry, WebApplication app)
    {
        registry.WhenLoaded.GetAwaiter().GetResult();
        var loaded = registry.Models.Where(m => m.WhenReady.IsCompletedSuccessfully).ToList();
        if (loaded.Count == 0)
        {
            app.StopAsync().GetAwaiter().GetResult();
            if (!registry.IsRepository) registry.Models[0].WhenReady.GetAwaiter().GetResult();   // its load error
            throw new ResNetSharpException("no model of the repository loaded (the log above says why for each): fix their folders, then start again.");
        }
        string Describe(ResNetClassifier m) => $"model {m.Name}, engine {m.Predictor.Engine.Name}, device {m.Predictor.Engine.Device}";
        if (!registry.IsRepository) return Describe(loaded[0]);
        var failed = registry.Models.Except(loaded).Select(m => m.Name).ToList();
        return string.Join("; ", loaded.Select(Describe)) + (failed.Count > 0 ? $"; unavailable: {string.Join(", ", failed)}" : "");
    }

    /// <summary>
    /// Serves on <paramref name="host"/>:<paramref name="port"/> until stopped, with the options
    /// <see cref="Build"/> reads (TLS, limits, API keys); says "listening on ..." once the models are loaded (with
    /// <c>--strict</c>, a model of the repository that fails stops the start).
    /// </summary>
    public static int Run(string? configFile, Action<ResNetClassifierOptions> flags, string host, int port, TextWriter output)
    {
        var options = new ResNetClassifierOptions();
        using var app = Build(options, b => b.WebHost.ConfigureKestrel(k => k.ListenResNetClassifier(options, host, port)), configFile, flags);
        try
        {
            app.Start();
        }
        catch (IOException e)
        {
            throw new ResNetSharpException($"cannot listen on {host}:{port} ({e.Message}): choose another --port, or stop what uses it.");
        }
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        output.WriteLine($"listening on {url} ({Loaded(app.Services.GetRequiredService<ResNetClassifierRegistry>(), app)})");
        output.Flush();
        app.WaitForShutdown();
        return 0;
    }
}
