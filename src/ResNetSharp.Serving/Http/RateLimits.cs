using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ResNetSharp.Serving.Http;

/// <summary>
/// <see cref="ResNetClassifierOptions.RateLimit"/>: one token bucket per API key (per client address without keys)
/// in front of every endpoint but the open ones (health, unprotected metrics); an empty bucket is 429 with
/// Retry-After, counted as <c>resnetsharp_failures_total{reason="rate_limited"}</c>.
/// </summary>
internal sealed class RateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext>? _limiter;
    private readonly double _rate;

    public RateLimits(IOptions<ResNetClassifierOptions> options)
    {
        _rate = options.Value.RateLimit;
        if (_rate <= 0) return;
        // Refilled about ten times a second (at least one token a time), holding up to one second's worth.
        int tokens = Math.Max(1, (int)Math.Round(_rate / 10));
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / _rate),
            TokenLimit = Math.Max(tokens, (int)Math.Ceiling(_rate)),
            QueueLimit = 0,
        };
        _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            RateLimitPartition.GetTokenBucketLimiter(http.User.Identity?.Name ?? http.Connection.RemoteIpAddress?.ToString() ?? "", _ => bucket));
    }

    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var limits = http.RequestServices.GetRequiredService<RateLimits>();
        if (limits._limiter is null || http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null) return await next(context);
        using var lease = limits._limiter.AttemptAcquire(http);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString();
            throw new ServingException(429, $"over the rate limit of {limits._rate:0.###} requests per second for this client: retry after the Retry-After seconds, or start the server with a larger --rate-limit.", "rate_limited");
        }
        return await next(context);
    }

    public void Dispose() => _limiter?.Dispose();
}
