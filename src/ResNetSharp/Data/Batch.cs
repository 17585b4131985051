using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>
/// One batch on the compute device: normalised float32 images [B,C,H,W] and int64 labels [B]; for a mixed batch
/// (mixup, CutMix) also the labels of the images mixed in and the share of the first labels.
/// The tensors belong to no dispose scope; the caller disposes the batch.
/// </summary>
public sealed class Batch : IDisposable
{
    internal Batch(Tensor images, Tensor labels, Tensor? mixedLabels = null, double mixWeight = 1)
    {
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        MixedLabels = mixedLabels?.DetachFromDisposeScope();
        MixWeight = mixWeight;
    }

    /// <summary>Normalised images, float32 [B,C,H,W].</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, int64 [B].</summary>
    public Tensor Labels { get; }

    /// <summary>For a mixed batch, the labels of the images mixed into each sample; null when not mixed.</summary>
    public Tensor? MixedLabels { get; }

    /// <summary>The share of <see cref="Labels"/> in each image (1 when not mixed); <see cref="MixedLabels"/> have the rest.</summary>
    public double MixWeight { get; }

    /// <summary>Number of samples in the batch.</summary>
    public int Size => (int)Labels.shape[0];

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        MixedLabels?.Dispose();
    }
}
