using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Loss sum and correct-prediction count kept in device tensors, so that accumulating them needs no host-device
/// sync; <see cref="Read"/> is the only sync (once per epoch, and once per progress report).
/// </summary>
public sealed class RunningMetrics : IDisposable
{
    private readonly Tensor _lossSum, _correct;

    /// <summary>Zeroed sums on <paramref name="device"/>, where the batches' losses and predictions are.</summary>
    /// <param name="device">The device the training step runs on.</param>
    public RunningMetrics(Device device)
    {
        _lossSum = zeros(1, ScalarType.Float64, device).DetachFromDisposeScope();
        _correct = zeros(1, ScalarType.Int64, device).DetachFromDisposeScope();
    }

    /// <summary>Samples counted so far (known on the host from the batch shapes).</summary>
    public long Count { get; private set; }

    /// <summary>Adds a batch: its mean loss (a scalar tensor), logits [B,K] and labels [B]. Call inside a dispose scope.</summary>
    public void Add(Tensor meanLoss, Tensor logits, Tensor labels)
    {
        using var _ = no_grad();
        long batch = labels.shape[0];
        _lossSum.add_(meanLoss.detach().to(ScalarType.Float64) * batch);
        _correct.add_(logits.argmax(1).eq(labels).sum());
        Count += batch;
    }

    /// <summary>Mean loss and accuracy so far (one host-device sync); zeros when empty.</summary>
    public (double Loss, double Accuracy) Read() => Count == 0 ? (0, 0) : (Totals().LossSum / Count, (double)Totals().Correct / Count);

    /// <summary>The raw totals, for saving a mid-epoch state.</summary>
    public (double LossSum, long Correct, long Count) Totals() => (_lossSum.item<double>(), _correct.item<long>(), Count);

    /// <summary>Sets the totals (resuming mid-epoch) or clears them (<c>Restore(0, 0, 0)</c>).</summary>
    public void Restore(double lossSum, long correct, long count)
    {
        _lossSum.fill_(lossSum);
        _correct.fill_(correct);
        Count = count;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _lossSum.Dispose();
        _correct.Dispose();
    }
}
