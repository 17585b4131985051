namespace ResNetSharp.Serving;

/// <summary>A request that cannot be answered: the HTTP status (400, 404, 413, 503, 504) and a message naming the problem and the fix.</summary>
public sealed class ServingException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status code to answer with.</summary>
    public int Status { get; } = status;
}
