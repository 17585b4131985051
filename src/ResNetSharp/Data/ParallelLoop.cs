namespace ResNetSharp.Data;

/// <summary>Parallel loops over samples that surface a user-facing error as itself, not wrapped in an AggregateException.</summary>
internal static class ParallelLoop
{
    public static void For(int count, Action<int> body, CancellationToken cancel = default)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancel, MaxDegreeOfParallelism = Environment.ProcessorCount }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<ResNetSharpException>().FirstOrDefault() is { } inner)
        {
            throw inner;
        }
    }
}
