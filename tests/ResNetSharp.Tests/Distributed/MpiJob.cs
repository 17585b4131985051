using System.Diagnostics;
using System.Text;
using SkiaSharp;
using ResNetSharp.Tests.Data;

namespace ResNetSharp.Tests.Distributed;

/// <summary>
/// Runs the built CLI (resnet.dll beside the test assembly) as an Open MPI job: <c>mpirun --allow-run-as-root
/// --oversubscribe</c>, one thread per rank. Each job is tagged with an environment variable so a test can find its
/// rank processes (to signal one) and nothing else.
/// </summary>
internal sealed class MpiJob : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();

    public string Tag { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Starts one program for all ranks (<paramref name="ranks"/>[0] is the argument list) or, with several lists, one rank each (MPMD).</summary>
    public MpiJob(int np, params string[][] ranks)
    {
        var info = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-x", "OMP_NUM_THREADS=1", "-x", $"RESNETSHARP_TEST_JOB={Tag}" })
            info.ArgumentList.Add(a);
        for (int i = 0; i < ranks.Length; i++)
        {
            if (i > 0) info.ArgumentList.Add(":");
            foreach (var a in new[] { "-np", (ranks.Length == 1 ? np : 1).ToString(), "dotnet", Path.Combine(AppContext.BaseDirectory, "resnet.dll") })
                info.ArgumentList.Add(a);
            foreach (var a in ranks[i]) info.ArgumentList.Add(a);
        }
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_out) _out.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_err) _err.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_out) return _out.ToString(); } }
    public string Error { get { lock (_err) return _err.ToString(); } }

    /// <summary>Waits for the job to end; false when it is still running after <paramref name="timeout"/>.</summary>
    public bool Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();   // drain the output
        return true;
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Runs a job to its end (at most 120 s) and returns its exit code and output.</summary>
    public static (int Code, string Out, string Err) Run(int np, params string[][] ranks)
    {
        using var job = new MpiJob(np, ranks);
        Assert.True(job.Wait(TimeSpan.FromSeconds(120)), $"the job did not end in 120 s:\n{job.Output}\n{job.Error}");
        return (job.ExitCode, job.Output, job.Error);
    }

    /// <summary>The process id of this job's rank <paramref name="rank"/> once it runs (found by its tag in /proc).</summary>
    public int RankPid(int rank, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                string environ;
                try { environ = File.ReadAllText(Path.Combine(dir, "environ")); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                var vars = environ.Split('\0');
                if (vars.Contains($"RESNETSHARP_TEST_JOB={Tag}") && vars.Contains($"OMPI_COMM_WORLD_RANK={rank}")
                    && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("resnet.dll"))
                    return pid;
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"rank {rank} of job {Tag} did not start in {timeout}.");
    }

    /// <summary>Sends a signal (kill -SIGNAL) to one of this job's processes.</summary>
    public static void Signal(int pid, string signal) => Process.Start("kill", [$"-{signal}", pid.ToString()])!.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    /// <summary>
    /// A tiny ImageFolder dataset of two classes (reddish and bluish noise, 16x16 PNG): 81 training images, so the
    /// sampler pads, and 25 validation images, an odd count, so the validation shards differ in size.
    /// </summary>
    public static void WriteData(string dir)
    {
        var rng = new Random(11);
        foreach (var (split, count) in new[] { ("train", 81), ("val", 25) })
            for (int i = 0; i < count; i++)
            {
                bool red = i % 2 == 0;
                var pixels = Enumerable.Range(0, 256).Select(_ => (byte)rng.Next(0, 160)).ToArray();
                int offset = rng.Next(60, 95);
                TestImages.Write(Path.Combine(dir, split, red ? "red" : "blue", $"{i:D3}.png"), 16, 16, (x, y) =>
                {
                    byte v = pixels[y * 16 + x];
                    return red ? new SKColor((byte)(v + offset), v, v) : new SKColor(v, v, (byte)(v + offset));
                });
            }
    }
}
