using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ResNetSharp.Serving;
using ResNetSharp.Serving.Hosting;
using ResNetSharp.Serving.Security;

namespace ResNetSharp.Tests.Serving;

// API keys: Authorization: Bearer KEY on every endpoint but health (and metrics unless protected), reloaded from the file.
public class AuthTests(ServingModel model) : IClassFixture<ServingModel>
{
    private const string Metadata = "/v2/models/small_resnet";

    [Fact]
    public async Task No_key_and_a_wrong_key_are_401_the_right_key_passes_health_stays_open()
    {
        using var temp = new TempDir();
        var options = WithKeys(model.Options(), temp, "# the team's key", "alpha-key  # rotated 2026-12", "", "beta-key");
        await using var server = await InProcessServer.StartAsync(options);

        var none = await server.Client.GetAsync(Metadata);
        await InProcessServer.AssertErrorAsync(none, 401, "the request has no API key: send 'Authorization: Bearer KEY'");
        Assert.Equal("Bearer realm=\"resnetsharp\"", none.Headers.WwwAuthenticate.Single().ToString());
        Assert.Equal(401, (int)(await server.Client.GetAsync("/openapi/v1.json")).StatusCode);
        var wrong = await Send(server, HttpMethod.Get, Metadata, "gamma-key");
        await InProcessServer.AssertErrorAsync(wrong, 401, "the API key is not one of the server's");
        Assert.Contains("error=\"invalid_token\"", wrong.Headers.WwwAuthenticate.Single().ToString());
        await InProcessServer.AssertErrorAsync(await Send(server, HttpMethod.Get, Metadata, "alpha-key  # rotated 2026-12"), 401, "not one of the server's");
        var classify = await Send(server, HttpMethod.Post, "/v1/models/small_resnet/classify", "beta-key", File.ReadAllBytes(model.Square));
        Assert.Equal(200, (int)classify.StatusCode);
        Assert.Equal(200, (int)(await Send(server, HttpMethod.Get, Metadata, "alpha-key")).StatusCode);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(4, await server.MetricTotalAsync("resnetsharp_failures_total", "reason=\"unauthorized\""));   // /metrics itself is open
    }

    [Fact]
    public async Task Protected_metrics_need_the_key()
    {
        using var temp = new TempDir();
        var options = WithKeys(model.Options(), temp, "alpha-key");
        options.ProtectMetrics = true;
        await using var server = await InProcessServer.StartAsync(options);
        await InProcessServer.AssertErrorAsync(await server.Client.GetAsync("/metrics"), 401, "no API key");
        var metrics = await Send(server, HttpMethod.Get, "/metrics", "alpha-key");
        Assert.Contains("resnetsharp_failures_total{reason=\"unauthorized\",model=\"\"} 1", await metrics.Content.ReadAsStringAsync());
    }

    // The key file is rewritten while the server runs: the new key works and the old one stops, with no restart.
    [Fact]
    public async Task A_rewritten_key_file_is_reloaded()
    {
        using var temp = new TempDir();
        var options = WithKeys(model.Options(), temp, "old-key");
        await using var server = await InProcessServer.StartAsync(options);
        Assert.Equal(200, (int)(await Send(server, HttpMethod.Get, Metadata, "old-key")).StatusCode);
        Assert.Equal(401, (int)(await Send(server, HttpMethod.Get, Metadata, "new-key")).StatusCode);

        File.WriteAllText(options.ApiKeyFile!, "new-key\n");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((int)(await Send(server, HttpMethod.Get, Metadata, "new-key")).StatusCode != 200)
        {
            Assert.True(DateTime.UtcNow < deadline, "the new key was not accepted within 20 s");
            await Task.Delay(100);
        }
        Assert.Equal(401, (int)(await Send(server, HttpMethod.Get, Metadata, "old-key")).StatusCode);
    }

    // SIGHUP reads the keys again, the environment's included: a key changed only in RESNETSHARP_API_KEYS (no file
    // change for the watch to see) takes effect on the signal, with no restart. .NET runs signal handlers on the thread
    // pool, which the suite's parallel tests can keep busy for seconds on 2 cores (once the reload came after more than
    // 10 s there), so the test waits up to 60 s; it passes as soon as the reload is seen.
    [Fact]
    public async Task Sighup_reloads_the_keys()
    {
        using var temp = new TempDir();
        var options = WithKeys(model.Options(), temp, "file-key");
        Environment.SetEnvironmentVariable(ApiKeys.EnvironmentVariable, "env-old");
        try
        {
            await using var server = await InProcessServer.StartAsync(options);
            Assert.Equal(200, (int)(await Send(server, HttpMethod.Get, Metadata, "env-old")).StatusCode);
            Environment.SetEnvironmentVariable(ApiKeys.EnvironmentVariable, "env-new");
            await Task.Delay(300);
            Assert.Equal(401, (int)(await Send(server, HttpMethod.Get, Metadata, "env-new")).StatusCode);   // nothing reloaded yet
            Assert.Equal(0, kill(Environment.ProcessId, SigHup));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((int)(await Send(server, HttpMethod.Get, Metadata, "env-new")).StatusCode != 200)
            {
                Assert.True(DateTime.UtcNow < deadline, "SIGHUP did not reload the keys within 60 s");
                await Task.Delay(50);
            }
            Assert.Equal(401, (int)(await Send(server, HttpMethod.Get, Metadata, "env-old")).StatusCode);
            Assert.Equal(200, (int)(await Send(server, HttpMethod.Get, Metadata, "file-key")).StatusCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ApiKeys.EnvironmentVariable, null);
        }
    }

    private const int SigHup = 1;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    // A host swaps in its own authentication (here a header naming the user) with one line: the policy under ServingExtensions' name.
    [Fact]
    public async Task A_host_swaps_in_its_own_scheme_with_one_line()
    {
        using var temp = new TempDir();
        var options = WithKeys(model.Options(), temp, "alpha-key");
        await using var server = await InProcessServer.StartAsync(options, b =>
        {
            b.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUser>(HeaderUser.SchemeName, null);
            b.Services.AddAuthorization(o => o.AddPolicy(ServingExtensions.AuthorizationPolicy, p => p.AddAuthenticationSchemes(HeaderUser.SchemeName).RequireAuthenticatedUser()));
        });
        Assert.Equal(401, (int)(await Send(server, HttpMethod.Get, Metadata, "alpha-key")).StatusCode);   // the API key no longer counts
        using var request = new HttpRequestMessage(HttpMethod.Get, Metadata);
        request.Headers.Add(HeaderUser.Header, "alice");
        Assert.Equal(200, (int)(await server.Client.SendAsync(request)).StatusCode);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/ready")).StatusCode);
    }

    [Fact]
    public void Binding_beyond_loopback_needs_keys_or_an_explicit_anonymous()
    {
        var options = model.Options();
        var e = Assert.Throws<ResNetSharpException>(() => new KestrelServerOptions().ListenResNetClassifier(options, "0.0.0.0", 8080));
        Assert.Equal("refusing to serve on 0.0.0.0 without API keys: give --api-key-file FILE (or set RESNETSHARP_API_KEYS), or --allow-anonymous where a proxy or service mesh authenticates.", e.Message);
        new KestrelServerOptions().ListenResNetClassifier(options, "127.0.0.1", 8080);
        options.AllowAnonymous = true;
        new KestrelServerOptions().ListenResNetClassifier(options, "0.0.0.0", 8080);
        options.ApiKeyFile = "/nonexistent/keys";
        Assert.Contains("the API key file '/nonexistent/keys' does not exist: check --api-key-file", Assert.Throws<ResNetSharpException>(options.Validate).Message);
    }

    /// <summary><paramref name="options"/> with a key file in <paramref name="temp"/> holding <paramref name="lines"/>.</summary>
    internal static ResNetClassifierOptions WithKeys(ResNetClassifierOptions options, TempDir temp, params string[] lines)
    {
        options.ApiKeyFile = temp.Combine("keys");
        File.WriteAllLines(options.ApiKeyFile, lines);
        return options;
    }

    internal static Task<HttpResponseMessage> Send(InProcessServer server, HttpMethod method, string path, string key, byte[]? image = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (image is not null)
        {
            request.Content = new ByteArrayContent(image);
            request.Content.Headers.ContentType = new("image/png");
        }
        return server.Client.SendAsync(request);
    }

    /// <summary>A host's own scheme: the user named in a header (a stand-in for JWT or OIDC).</summary>
    private sealed class HeaderUser(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "HeaderUser", Header = "X-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers[Header].FirstOrDefault() is { } user
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], SchemeName)), SchemeName))
                : AuthenticateResult.NoResult());
    }
}
