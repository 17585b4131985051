using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>A world of one process (no launcher): every collective is the identity.</summary>
public sealed class SingleProcessGroup(TimeSpan timeout) : ProcessGroup(0, 1, 0, timeout)
{
    /// <inheritdoc/>
    public override string Backend => "single";

    protected override void AllReduceCore(Tensor tensor, ReduceOp op) { }
    protected override void BroadcastCore(Tensor tensor, int root) { }
    protected override void AllGatherCore(Tensor input, Tensor output) => output[0].copy_(input);
    protected override void BarrierCore() { }

    public override void Dispose() { }
}
