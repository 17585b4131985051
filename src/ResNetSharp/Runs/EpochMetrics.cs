namespace ResNetSharp.Runs;

/// <summary>
/// One epoch's results (1-based epoch; accuracies are fractions in [0,1]; lr is the last step's rate; bad images: the
/// distinct undecodable files skipped so far with <c>--on-bad-image skip</c>).
/// </summary>
public sealed record EpochMetrics
{
    /// <summary>The epoch, 1-based.</summary>
    public required int Epoch { get; init; }

    /// <summary>The last step's learning rate.</summary>
    public required double Lr { get; init; }

    /// <summary>The epoch's mean training loss.</summary>
    public required double TrainLoss { get; init; }

    /// <summary>The epoch's training accuracy (fraction).</summary>
    public required double TrainAcc { get; init; }

    /// <summary>The validation loss.</summary>
    public required double ValLoss { get; init; }

    /// <summary>The validation top-1 accuracy (fraction).</summary>
    public required double ValTop1 { get; init; }

    /// <summary>The validation top-5 accuracy (fraction).</summary>
    public required double ValTop5 { get; init; }

    /// <summary>The epoch's training seconds (a resumed epoch's included).</summary>
    public required double Seconds { get; init; }

    /// <summary>Training images per second over all ranks.</summary>
    public required double ImagesPerS { get; init; }

    /// <summary>Distinct undecodable files skipped so far.</summary>
    public long BadImages { get; init; } = 0;

    /// <summary>
    /// Wall-clock seconds from the start of training to this epoch's end, validation included (a resumed run continues
    /// from its last recorded epoch): DAWNBench's time to accuracy.
    /// </summary>
    public double WallSeconds { get; init; } = 0;
}
