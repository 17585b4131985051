using ResNetSharp.Runs;

namespace ResNetSharp.Training;

/// <summary>A progress report during an epoch (every <see cref="TrainOptions.ProgressEvery"/> steps and at its end).</summary>
public sealed record TrainProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double Accuracy,
    double ImagesPerS, TimeSpan Elapsed)
{
    /// <summary>Estimated time to the end of the epoch.</summary>
    public TimeSpan Eta => Step == 0 ? TimeSpan.Zero : Elapsed / Step * (Steps - Step);
}

/// <summary>The run directory and every epoch so far (a resumed run's earlier ones included), after an epoch's metrics files are written.</summary>
public sealed record RunHistory(string Directory, IReadOnlyList<EpochMetrics> Epochs);

/// <summary>A checkpoint file the trainer has just written (kind "best" or "last").</summary>
public sealed record CheckpointSaved(string Kind, string Path, int Epoch);

/// <summary>How a run ended: its directory, best epoch and accuracy, and whether it was interrupted or stopped early.</summary>
public sealed record TrainResult(string OutDir, IReadOnlyList<EpochMetrics> History, int BestEpoch, double BestValTop1,
    bool Interrupted, bool StoppedEarly)
{
    /// <summary>Whether this process wrote the run's files (rank 0 of a data-parallel run, or the only process).</summary>
    public bool IsMain { get; init; } = true;

    /// <summary>Data-parallel: the ranks, the engine ("mpi", "nccl") and this rank's seconds in collectives; null for one process.</summary>
    public (int WorldSize, string Backend, double CommunicationSeconds)? Distributed { get; init; }

    /// <summary>The path of <c>best.safetensors</c>, the weights of the best validation top-1 epoch.</summary>
    public string BestCheckpoint => Path.Combine(OutDir, RunFiles.Best);
    /// <summary>The path of <c>last.safetensors</c>, the weights after the last epoch run.</summary>
    public string LastCheckpoint => Path.Combine(OutDir, RunFiles.Last);
    /// <summary>The path of <c>curves.png</c>, loss and accuracy per epoch, drawn when the trainer was given to <c>Reports.CurvesPlot.DrawEachEpoch</c> (as <c>resnet train</c> does).</summary>
    public string Curves => Path.Combine(OutDir, RunFiles.Curves);
}
