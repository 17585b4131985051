using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ResNetSharp.Cli;
using ResNetSharp.Serving;

namespace ResNetSharp.Tests.Serving;

/// <summary><c>resnet serve</c>'s app (<see cref="ServeHost"/>) on ASP.NET Core's in-process test server, started and warmed up.</summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessServer(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Started and warmed up; <paramref name="configure"/> may change the builder further (e.g. swap the authorisation policy).</summary>
    public static async Task<InProcessServer> StartAsync(ResNetClassifierOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var server = await StartUnreadyAsync(options, configure);
        foreach (var model in server.Services.GetRequiredService<ResNetClassifierRegistry>().Models) await model.WhenReady;
        return server;
    }

    /// <summary>Started, once every model has loaded or failed to (a load error is left for the endpoints to report).</summary>
    public static async Task<InProcessServer> StartUnreadyAsync(ResNetClassifierOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var app = ServeHost.Build(options, b =>
        {
            b.WebHost.UseTestServer();
            configure?.Invoke(b);
        });
        await app.StartAsync();
        await Task.WhenAny(app.Services.GetRequiredService<ResNetClassifierRegistry>().WhenLoaded, Task.Delay(TimeSpan.FromSeconds(30)));
        return new InProcessServer(app);
    }

    /// <summary>Signals the host to stop (SIGTERM's first step), as ASP.NET Core's lifetime does; the test server keeps serving.</summary>
    public void StopApplication() => _app.Lifetime.StopApplication();

    /// <summary>POSTs <paramref name="body"/> with a content type.</summary>
    public Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType = "image/png")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        return Client.PostAsync(path, content);
    }

    /// <summary>The value of one sample in <c>GET /metrics</c> (e.g. <c>resnetsharp_batch_size_count</c>), or 0 when absent.</summary>
    public async Task<double> MetricAsync(string sample)
    {
        var text = await Client.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>The sum of <paramref name="metric"/>'s samples whose labels include <paramref name="label"/> (e.g. <c>reason="unauthorized"</c>), over its other labels.</summary>
    public async Task<double> MetricTotalAsync(string metric, string label)
    {
        var text = await Client.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l[..l.IndexOf('}')].Contains(label, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>Asserts the status and an <c>{"error"}</c> answer containing <paramref name="expected"/>.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, int status, string expected)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(expected, body.GetProperty("error").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
