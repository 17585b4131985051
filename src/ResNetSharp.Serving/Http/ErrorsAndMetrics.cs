using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ResNetSharp.Serving.Http;

/// <summary>
/// The endpoint filter on every serving endpoint: turns errors into <c>{"error": "..."}</c> with their status
/// (503 adds Retry-After), and counts each answer in <c>resnetsharp_requests_total</c>, its time in
/// <c>resnetsharp_request_duration_seconds</c> and failures in <c>resnetsharp_failures_total</c>, each by model.
/// </summary>
internal static class ErrorsAndMetrics
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var metrics = http.RequestServices.GetRequiredService<ServingMetrics>();
        string endpoint = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path;
        string model = http.RequestServices.GetRequiredService<ResNetClassifierRegistry>().MetricsModel(http);
        long start = Stopwatch.GetTimestamp();
        object? result;
        try
        {
            result = await next(context);
        }
        catch (Exception e) when (Describe(e, http) is { } error)
        {
            metrics.Failures.WithLabels(error.Reason, model).Inc();
            if (error.Status == 503) http.Response.Headers.RetryAfter = "1";
            result = Error(error.Status, error.Message);
        }
        int status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : 200;
        metrics.Requests.WithLabels(endpoint, model, status.ToString()).Inc();
        metrics.RequestDuration.WithLabels(endpoint, model).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        return result;
    }

    /// <summary>An error answer: the status and <c>{"error": message}</c>.</summary>
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static (int Status, string Reason, string Message)? Describe(Exception e, HttpContext http) => e switch
    {
        ServingException s => (s.Status, s.Reason ?? Reason(s.Status), s.Message),
        ResNetSharpException r => (400, "bad_request", r.Message),
        OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "client_disconnected", "the client disconnected; its queued work was dropped."),
        BadHttpRequestException b => (b.StatusCode, Reason(b.StatusCode), $"{b.Message} Check the request."),
        JsonException j => (400, "bad_request", $"malformed JSON ({j.Message}): check the request body."),
        _ => null,
    };

    private static string Reason(int status) => status switch
    {
        401 => "unauthorized",
        413 => "body_too_large",
        429 => "rate_limited",
        503 => "unavailable",
        504 => "timeout",
        404 => "not_found",
        _ => "bad_request",
    };
}
