namespace ResNetSharp.Samples;

/// <summary>The samples' self-checks: each is printed as <c>ok</c> or <c>FAILED</c>; the exit code is 1 when any failed.</summary>
internal sealed class Checks
{
    private int _failed;

    /// <summary>Records and prints one check.</summary>
    public void That(bool ok, string what)
    {
        Console.WriteLine($"{(ok ? "ok" : "FAILED")}: {what}");
        if (!ok) _failed++;
    }

    /// <summary>0 when every check passed, else 1.</summary>
    public int ExitCode => _failed == 0 ? 0 : 1;
}
