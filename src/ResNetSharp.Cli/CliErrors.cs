using ResNetSharp;

namespace ResNetSharp.Cli;

/// <summary>Turns user errors into one line on stderr and a non-zero exit code, never a stack trace.</summary>
internal static class CliErrors
{
    public const int UserError = 2;

    public static int Run(Func<int> action, TextWriter error)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            error.WriteLine($"error: {message}");
            return UserError;
        }
    }

    /// <summary>The one-line message for an error caused by input, or null for a bug (which keeps its stack trace).</summary>
    private static string? Describe(Exception e) => e switch
    {
        ResNetSharpException r => Options.FlagNames.Translate(r.Message),   // library errors name properties; the CLI shows flags
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        FileNotFoundException f => $"file not found: {f.FileName ?? f.Message}. Check the path.",
        DirectoryNotFoundException d => $"{d.Message} Check the path.",
        UnauthorizedAccessException u => $"{u.Message} Check the file permissions.",
        IOException io when io.HResult == 28 || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) =>
            $"the disk is full ({io.Message}). Free some space or choose another --out directory; nothing was half-written.",
        _ => null,
    };
}
