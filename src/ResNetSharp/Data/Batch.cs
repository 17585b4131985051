using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>
/// One batch on the compute device: normalised float32 images [B,C,H,W] and int64 labels [B].
/// The tensors belong to no dispose scope; the caller disposes the batch.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels)
    {
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
    }

    /// <summary>Normalised images, float32 [B,C,H,W].</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, int64 [B].</summary>
    public Tensor Labels { get; }

    /// <summary>Number of samples in the batch.</summary>
    public int Size => (int)Labels.shape[0];

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
