using ResNetSharp.Runs;

namespace ResNetSharp.Training;

/// <summary>
/// Where a run stands, saved as last.state.json after every epoch and on interruption: the next epoch (0-based) and
/// batch within it, the global step (which fixes the learning rate), the partial epoch's metric totals, the best
/// result so far, the history, the torch CPU generator state and the options. <see cref="SaveId"/> ties it to the
/// last.safetensors and last.state.safetensors written with it.
/// </summary>
public sealed record TrainState(string SaveId, TrainOptions Options, int Epoch, int StepInEpoch, long GlobalStep,
    double LossSum, long Correct, long Count, double EpochSeconds, int BestEpoch, double BestTop1, int SinceBest,
    IReadOnlyList<EpochMetrics> History, string TorchRngState)
{
    /// <summary>Processes the run trains on (data-parallel ranks); a resume needs the same number.</summary>
    public int WorldSize { get; init; } = 1;
}
