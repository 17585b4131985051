using ResNetSharp.Runs;

namespace ResNetSharp.Training;

/// <summary>
/// Where a run stands, saved as last.state.json after every epoch and on interruption: the next epoch (0-based) and
/// batch within it, the global step (which fixes the learning rate), the partial epoch's metric totals, the best
/// result so far, the history, the torch CPU generator state and the options. <see cref="SaveId"/> ties it to the
/// last.safetensors and last.state.safetensors written with it. A new run's state is all zeros with no best epoch.
/// </summary>
public sealed record TrainState
{
    /// <summary>The id written into last.safetensors and last.state.safetensors with this state ("" before the first save).</summary>
    public string SaveId { get; init; } = "";

    /// <summary>The run's effective options.</summary>
    public required TrainOptions Options { get; init; }

    /// <summary>The epoch (0-based) the run continues with.</summary>
    public int Epoch { get; init; }

    /// <summary>The batches of <see cref="Epoch"/> already trained.</summary>
    public int StepInEpoch { get; init; }

    /// <summary>Optimizer steps so far, over all epochs.</summary>
    public long GlobalStep { get; init; }

    /// <summary>The partial epoch's training loss sum (all ranks).</summary>
    public double LossSum { get; init; }

    /// <summary>The partial epoch's correct predictions (all ranks).</summary>
    public long Correct { get; init; }

    /// <summary>The partial epoch's samples (all ranks).</summary>
    public long Count { get; init; }

    /// <summary>The partial epoch's seconds so far.</summary>
    public double EpochSeconds { get; init; }

    /// <summary>The best epoch (1-based) so far, 0 before the first.</summary>
    public int BestEpoch { get; init; }

    /// <summary>The best validation top-1 so far, −1 before the first epoch.</summary>
    public double BestTop1 { get; init; } = -1;

    /// <summary>Epochs since the best one (for early stopping).</summary>
    public int SinceBest { get; init; }

    /// <summary>The finished epochs' metrics.</summary>
    public IReadOnlyList<EpochMetrics> History { get; init; } = [];

    /// <summary>torch's CPU generator state, base64 ("" before the first save).</summary>
    public string TorchRngState { get; init; } = "";

    /// <summary>Processes the run trains on (data-parallel ranks); a resume needs the same number.</summary>
    public int WorldSize { get; init; } = 1;
}
