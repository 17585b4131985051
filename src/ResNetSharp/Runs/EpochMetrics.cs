namespace ResNetSharp.Runs;

/// <summary>
/// One epoch's results (1-based epoch; accuracies are fractions in [0,1]; lr is the last step's rate; bad images: the
/// distinct undecodable files skipped so far with <c>--on-bad-image skip</c>).
/// </summary>
public sealed record EpochMetrics(int Epoch, double Lr, double TrainLoss, double TrainAcc, double ValLoss, double ValTop1,
    double ValTop5, double Seconds, double ImagesPerS, long BadImages = 0);
