using System.Net;
using System.Net.Sockets;

namespace ResNetSharp.Tests;

/// <summary>Serves files over HTTP on 127.0.0.1 at a free port, under <see cref="Url"/>; anything else is a 404.</summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackServer(params (string Name, byte[] Content)[] files)
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/mirror/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        var served = files.ToDictionary(f => $"/mirror/{f.Name}", f => f.Content);
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException) { return; }
                Interlocked.Increment(ref _requests);
                bool found = served.TryGetValue(context.Request.Url!.AbsolutePath, out var content);
                context.Response.StatusCode = found ? 200 : 404;
                if (found) await context.Response.OutputStream.WriteAsync(content);
                context.Response.Close();
            }
        });
    }

    public string Url { get; }
    public int Requests => _requests;

    public void Dispose()
    {
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _listener.Close();
    }
}
