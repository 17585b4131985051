using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ResNetSharp.Serving.Hosting;

/// <summary>
/// Kestrel set up as <c>resnet serve</c> runs it: one endpoint, HTTPS (HTTP/1.1 and HTTP/2) when a PEM certificate
/// is given, and the connection limits that keep slow or greedy clients from tying the server up. Secure by
/// default: an address other than loopback needs API keys or an explicit <see cref="ResNetClassifierOptions.AllowAnonymous"/>.
/// </summary>
public static class KestrelEndpoint
{
    /// <summary>
    /// Listens on <paramref name="host"/> (an IP address or <c>localhost</c>) and <paramref name="port"/> (0: any free
    /// one) with <paramref name="options"/>' TLS and limits; a bad host, an exposed address without keys, or an
    /// unreadable certificate is one clear error.
    /// </summary>
    public static void ListenResNetClassifier(this KestrelServerOptions kestrel, ResNetClassifierOptions options, string host, int port)
    {
        if (!IPAddress.TryParse(host, out var address) && host != "localhost")
            throw new ResNetSharpException($"--host '{host}' is not an IP address: give one such as 127.0.0.1, or 0.0.0.0 for every interface.");
        if (address is not null && !IPAddress.IsLoopback(address) && !options.HasApiKeys && !options.AllowAnonymous)
            throw new ResNetSharpException($"refusing to serve on {host} without API keys: give --api-key-file FILE (or set {Security.ApiKeys.EnvironmentVariable}), or --allow-anonymous where a proxy or service mesh authenticates.");
        var certificate = options.TlsCert is null ? null : LoadCertificate(options.TlsCert, options.TlsKey!);
        kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
        kestrel.Limits.MaxConcurrentUpgradedConnections = options.MaxConnections;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.HeaderTimeoutS);
        kestrel.Limits.MinRequestBodyDataRate = options.MinBodyRate > 0 ? new MinDataRate(options.MinBodyRate, TimeSpan.FromSeconds(5)) : null;
        kestrel.AddServerHeader = false;
        Action<ListenOptions> listen = l =>
        {
            if (certificate is null) return;
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.UseHttps(certificate);
        };
        if (address is null) kestrel.ListenLocalhost(port, listen);
        else kestrel.Listen(address, port, listen);
    }

    /// <summary>The certificate and its private key from PEM files; a missing or mismatched file is a clear error naming both.</summary>
    public static X509Certificate2 LoadCertificate(string certFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ResNetSharpException($"cannot load the TLS certificate '{certFile}' with key '{keyFile}' ({e.Message}): give a PEM certificate and its PEM private key to --tls-cert and --tls-key.");
        }
    }
}
