using System.Runtime.InteropServices;

namespace ResNetSharp.Serving.Security;

/// <summary>
/// SIGHUP for a reload. .NET respects an ignored signal: a server started under <c>nohup</c> (which ignores SIGHUP
/// and passes that on) would register its handler and never see the signal, so the keys would silently stop reloading
/// on SIGHUP. A server that documents SIGHUP as its reload signal takes it back: when it is ignored, its disposition
/// is reset to the default before .NET installs the handler, whose callback cancels the default termination.
/// </summary>
internal static class HangupSignal
{
    private const int SigHup = 1;
    private static readonly nint SigDfl = 0, SigIgn = 1;

    /// <summary>Calls <paramref name="reload"/> on every SIGHUP until the registration is disposed; null on Windows.</summary>
    public static PosixSignalRegistration? OnSignal(Action reload)
    {
        if (OperatingSystem.IsWindows()) return null;
        TakeBackIfIgnored();
        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            reload();
        });
    }

    private static void TakeBackIfIgnored()
    {
        // struct sigaction starts with the handler on Linux and macOS; 256 bytes hold the whole struct on both.
        var current = new nint[32];
        if (sigaction(SigHup, 0, current) == 0 && current[0] == SigIgn) signal(SigHup, SigDfl);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signum, nint act, [Out] nint[] oldact);

    [DllImport("libc", SetLastError = true)]
    private static extern nint signal(int signum, nint handler);
}
