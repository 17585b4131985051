using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ResNetSharp.Cli;
using ResNetSharp.Serving;
using ResNetSharp.Serving.Hosting;

namespace ResNetSharp.Tests.Serving;

/// <summary><c>resnet serve</c>'s app on real Kestrel at 127.0.0.1 on a free port, with the options' TLS and connection limits, warmed up.</summary>
internal sealed class KestrelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelServer(WebApplication app, Uri address) => (_app, Address) = (app, address);

    /// <summary>The server's base address (http:// or https://127.0.0.1:port).</summary>
    public Uri Address { get; }

    public static async Task<KestrelServer> StartAsync(ResNetClassifierOptions options)
    {
        var app = ServeHost.Build(options, b => b.WebHost.ConfigureKestrel(k => k.ListenResNetClassifier(options, "127.0.0.1", 0)));
        await app.StartAsync();
        await app.Services.GetRequiredService<ResNetClassifier>().WhenReady.WaitAsync(TimeSpan.FromSeconds(60));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
