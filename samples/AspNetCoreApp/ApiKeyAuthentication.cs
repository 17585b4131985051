using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AspNetCoreApp;

/// <summary>The app's API keys: each key and the scopes it grants (the <c>scope</c> claims of its caller).</summary>
public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>Key → scopes. A real app reads these from its secret store, never from source code.</summary>
    public Dictionary<string, string[]> Keys { get; set; } = [];
}

/// <summary>
/// A minimal authentication scheme: the caller sends <c>X-Api-Key: KEY</c>; a known key signs it in with one
/// <c>scope</c> claim per granted scope, an unknown key fails, no header leaves the request anonymous. Any other
/// scheme (JWT bearer, cookies, certificates) works the same way in front of the classifier's endpoints.
/// </summary>
public sealed class ApiKeyHandler(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The request header that carries the key.</summary>
    public const string Header = "X-Api-Key";

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var sent) || sent.Count != 1 || string.IsNullOrEmpty(sent[0]))
            return Task.FromResult(AuthenticateResult.NoResult());
        byte[] given = Encoding.UTF8.GetBytes(sent[0]!);
        // Compared in constant time, so response timing does not reveal how much of a key was right.
        var match = Options.Keys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k.Key), given));
        if (match.Key is null) return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        var claims = match.Value.Select(scope => new Claim("scope", scope)).Prepend(new Claim(ClaimTypes.Name, "api-key client"));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
