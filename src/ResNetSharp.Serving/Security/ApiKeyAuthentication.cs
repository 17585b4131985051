using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ResNetSharp.Serving.Security;

/// <summary>
/// The <c>Authorization: Bearer KEY</c> authentication scheme over <see cref="ApiKeys"/>: a known key signs the
/// request in as the key's identity; no key or a wrong one is challenged with 401, <c>WWW-Authenticate: Bearer</c>
/// and <c>{"error"}</c>, counted in <c>resnetsharp_failures_total{reason="unauthorized"}</c>.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeys keys, ServingMetrics metrics) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ResNetSharpApiKey";

    private const string Bearer = "Bearer ";

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null) return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("the Authorization header is not 'Bearer KEY'"));
        if (keys.Match(header[Bearer.Length..].Trim()) is not { } id)
            return Task.FromResult(AuthenticateResult.Fail("the API key is not one of the server's"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, id)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <inheritdoc/>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        metrics.Failures.WithLabels("unauthorized", Context.RequestServices.GetService<ResNetClassifierRegistry>()?.MetricsModel(Context) ?? "").Inc();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer realm=\"resnetsharp\"" : "Bearer realm=\"resnetsharp\", error=\"invalid_token\"";
        string problem = result.Failure?.Message ?? "the request has no API key";
        await Response.WriteAsJsonAsync(new { error = $"{problem}: send 'Authorization: Bearer KEY' with a key from the server's --api-key-file." });
    }
}
