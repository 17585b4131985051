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
    /// Serves on <paramref name="host"/>:<paramref name="port"/> until stopped, with the options
    /// <see cref="Build"/> reads (TLS, limits, API keys); says "listening on ..." once the model is ready.
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
        var classifier = app.Services.GetRequiredService<ResNetClassifier>();
        try
        {
            classifier.WhenReady.GetAwaiter().GetResult();
        }
        catch
        {
            app.StopAsync().GetAwaiter().GetResult();
            throw;
        }
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var predictor = classifier.Predictor;
        output.WriteLine($"listening on {url} (model {classifier.Name}, engine {predictor.Engine.Name}, device {predictor.Engine.Device})");
        output.Flush();
        app.WaitForShutdown();
        return 0;
    }
}
