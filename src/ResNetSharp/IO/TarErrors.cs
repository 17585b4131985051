namespace ResNetSharp.IO;

/// <summary>The exceptions the BCL's tar reader throws on a damaged or hostile archive (found by fuzzing).</summary>
internal static class TarErrors
{
    /// <summary>
    /// Whether <paramref name="e"/> is the tar reader (or the gzip stream under it) refusing its input: I/O and format
    /// errors, header fields out of range (<see cref="OverflowException"/>, or <see cref="ArgumentOutOfRangeException"/>
    /// for a date), sizes it cannot hold (<see cref="InvalidOperationException"/>), GNU sparse files
    /// (<see cref="NotSupportedException"/>), and a member or link leaving the extraction folder (<see cref="IOException"/>).
    /// </summary>
    public static bool IsDamaged(Exception e) => e is IOException or InvalidDataException or FormatException or OverflowException
        or ArgumentException or NotSupportedException or InvalidOperationException;
}
