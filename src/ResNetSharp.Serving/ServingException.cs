namespace ResNetSharp.Serving;

/// <summary>
/// A request that cannot be answered: the HTTP status (400, 404, 413, 429, 503, 504), a message naming the problem
/// and the fix, and optionally the <c>reason</c> label it is counted under in <c>resnetsharp_failures_total</c>
/// (default: one per status).
/// </summary>
public sealed class ServingException(int status, string message, string? reason = null) : Exception(message)
{
    /// <summary>The HTTP status code to answer with.</summary>
    public int Status { get; } = status;

    /// <summary>The failure's label in <c>resnetsharp_failures_total{reason}</c>; null: the status's.</summary>
    public string? Reason { get; } = reason;
}
