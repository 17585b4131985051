using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ResNetSharp.Serving.Hosting;

namespace ResNetSharp.Tests.Serving;

// HTTPS from PEM files through Kestrel: a certificate the test makes, HTTP/1.1 and HTTP/2 (ALPN) on one port.
public class TlsTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task Classify_over_https_with_http1_and_http2()
    {
        using var temp = new TempDir();
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var options = model.Options();
        (options.TlsCert, options.TlsKey) = (temp.Combine("cert.pem"), temp.Combine("key.pem"));
        File.WriteAllText(options.TlsCert, certificate.ExportCertificatePem());
        File.WriteAllText(options.TlsKey, rsa.ExportPkcs8PrivateKeyPem());

        await using var server = await KestrelServer.StartAsync(options);
        Assert.Equal("https", server.Address.Scheme);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.Thumbprint;
        using var client = new HttpClient(handler) { BaseAddress = server.Address };
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            var content = new ByteArrayContent(File.ReadAllBytes(model.Square));
            content.Headers.ContentType = new("image/png");
            using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/models/small_resnet/classify")
                { Content = content, Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(message);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(version, response.Version);
            Assert.Contains("\"predictions\"", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public void A_missing_key_file_is_one_error_naming_both_files()
    {
        using var temp = new TempDir();
        var e = Assert.Throws<ResNetSharpException>(() => KestrelEndpoint.LoadCertificate(temp.Combine("cert.pem"), temp.Combine("key.pem")));
        Assert.StartsWith($"cannot load the TLS certificate '{temp.Combine("cert.pem")}' with key '{temp.Combine("key.pem")}' (", e.Message);
        Assert.EndsWith("): give a PEM certificate and its PEM private key to --tls-cert and --tls-key.", e.Message);
        var options = model.Options();
        options.TlsCert = "cert.pem";
        Assert.Equal("give both --tls-cert FILE and --tls-key FILE (PEM), or neither.", Assert.Throws<ResNetSharpException>(options.Validate).Message);
    }
}
