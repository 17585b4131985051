using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>A world of one process (no launcher): every collective is the identity.</summary>
public sealed class SingleProcessGroup(TimeSpan timeout) : ProcessGroup(0, 1, 0, timeout)
{
    /// <inheritdoc/>
    public override string Backend => "single";

    /// <inheritdoc/>
    protected override void AllReduceCore(Tensor tensor, ReduceOp op) { }
    /// <inheritdoc/>
    protected override void BroadcastCore(Tensor tensor, int root) { }
    /// <inheritdoc/>
    protected override void AllGatherCore(Tensor input, Tensor output) => output[0].copy_(input);
    /// <inheritdoc/>
    protected override void BarrierCore() { }

    /// <inheritdoc/>
    public override void Dispose() { }
}
