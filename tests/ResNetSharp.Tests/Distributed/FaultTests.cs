using System.Diagnostics;
using ResNetSharp.Runs;

namespace ResNetSharp.Tests.Distributed;

/// <summary>A failed rank ends the whole 2-rank job with a non-zero exit and a message naming it, never a hang; resume equals straight.</summary>
public class FaultTests
{
    private static string[] Args(string data, string outDir, int epochs, params string[] extra) =>
    [
        "train", "--distributed", "--model", "small_resnet", "--data", $"folder:{data}", "--epochs", $"{epochs}", "--batch-size", "8",
        "--augment", "none", "--device", "cpu", "--seed", "3", "--out", outDir, .. extra,
    ];

    private static string Data(TempDir dir)
    {
        string data = dir.Combine("data");
        MpiJob.WriteData(data);
        return data;
    }

    /// <summary>Waits until rank 0 has printed its first epoch line (training is under way on both ranks).</summary>
    private static void WaitForFirstEpoch(MpiJob job)
    {
        var clock = Stopwatch.StartNew();
        while (!job.Output.Contains("epoch   1 ", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"no epoch finished in 60 s:\n{job.Output}\n{job.Error}");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void A_killed_rank_ends_the_job_non_zero()
    {
        using var dir = new TempDir();
        using var job = new MpiJob(2, Args(Data(dir), dir.Combine("run"), 500, "--dist-timeout", "30"));
        int pid = job.RankPid(1, TimeSpan.FromSeconds(30));
        WaitForFirstEpoch(job);
        MpiJob.Signal(pid, "KILL");
        Assert.True(job.Wait(TimeSpan.FromSeconds(30)), "the job still runs 30 s after rank 1 was killed");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("rank 1", job.Output + job.Error);
    }

    // A rank that stops answering (SIGSTOP) is found by the collective timeout on the others: the job ends within it.
    [Fact]
    public void A_hanging_rank_ends_the_job_within_the_timeout()
    {
        using var dir = new TempDir();
        using var job = new MpiJob(2, Args(Data(dir), dir.Combine("run"), 500, "--dist-timeout", "3"));
        int pid = job.RankPid(1, TimeSpan.FromSeconds(30));
        WaitForFirstEpoch(job);
        var clock = Stopwatch.StartNew();
        MpiJob.Signal(pid, "STOP");
        Assert.True(job.Wait(TimeSpan.FromSeconds(30)), "the job still runs 30 s after rank 1 stopped");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("did not complete within --dist-timeout 3 s on rank 0 of 2", job.Error);
    }

    // Rank 1 started with another learning rate throws; rank 0, waiting in a collective, is ended with it.
    [Fact]
    public void A_rank_that_throws_ends_the_job_naming_it()
    {
        using var dir = new TempDir();
        string data = Data(dir), run = dir.Combine("run");
        var r = MpiJob.Run(2, Args(data, run, 2), Args(data, run, 2, "--lr", "0.1"));
        Assert.NotEqual(0, r.Code);
        Assert.Contains("error: rank 1 of 2: this rank was started with other training options than rank 0", r.Err);
    }

    // Ctrl-C on rank 0 stops both ranks at the same step and saves; the resumed 2-rank run equals the straight one.
    [Fact]
    public void Interrupted_and_resumed_two_rank_run_equals_straight()
    {
        using var dir = new TempDir();
        string data = Data(dir), straight = dir.Combine("straight"), resumed = dir.Combine("resumed");
        const int epochs = 60;   // enough that the signal lands before the end even on an idle machine (10 epochs took under a second there)
        var s = MpiJob.Run(2, Args(data, straight, epochs));
        Assert.True(s.Code == 0, s.Out + s.Err);

        using (var job = new MpiJob(2, Args(data, resumed, epochs)))
        {
            int pid = job.RankPid(0, TimeSpan.FromSeconds(30));
            WaitForFirstEpoch(job);
            MpiJob.Signal(pid, "INT");
            Assert.True(job.Wait(TimeSpan.FromSeconds(60)));
            Assert.True(job.ExitCode == 0, job.Output + job.Error);
            Assert.Contains("interrupted; the state is saved", job.Output);
        }
        var r = MpiJob.Run(2, ["train", "--resume", resumed, "--device", "cpu"]);
        Assert.True(r.Code == 0, r.Out + r.Err);

        using var a = ResNetSharp.Interop.SafeTensors.Load(Path.Combine(straight, RunFiles.Last));
        using var b = ResNetSharp.Interop.SafeTensors.Load(Path.Combine(resumed, RunFiles.Last));
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.eq(b.Tensors[name]).all().item<bool>(), $"{name} differs");
        var lines = File.ReadAllLines(Path.Combine(resumed, RunFiles.MetricsJsonl));
        Assert.Equal(epochs, lines.Length);
    }

    // Resuming at another world size is one clear error.
    [Fact]
    public void Resume_needs_the_same_world_size()
    {
        using var dir = new TempDir();
        string run = dir.Combine("run");
        var s = MpiJob.Run(2, Args(Data(dir), run, 1));
        Assert.True(s.Code == 0, s.Out + s.Err);
        var r = MpiJob.Run(1, ["train", "--resume", run, "--device", "cpu"]);
        Assert.Equal(2, r.Code);
        Assert.Contains("it was trained on 2. Resume it at the same world size (mpirun -np 2 resnet train --resume", r.Err);
    }
}
