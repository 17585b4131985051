using TorchSharp;

namespace ResNetSharp.Data;

/// <summary>Which part of a dataset: the training images or the held-out validation (test) images.</summary>
public enum Split
{
    /// <summary>The training images.</summary>
    Train,
    /// <summary>The held-out validation (test) images.</summary>
    Val,
}

/// <summary>
/// A labelled image dataset with both splits: its classes, the input size the model sees, the per-channel
/// normalisation and a loader factory. Open one with <see cref="DataSpec.Open"/>.
/// </summary>
public abstract class DataSource : IDisposable
{
    /// <summary>The spec name, e.g. "synthetic", "cifar10".</summary>
    public abstract string Name { get; }

    /// <summary>Class names; a label is an index into this list.</summary>
    public abstract IReadOnlyList<string> Classes { get; }

    /// <summary>The shape of one image as the model sees it.</summary>
    public abstract (int Channels, int Height, int Width) InputSize { get; }

    /// <summary>Per-channel mean, in [0,1] units, subtracted after scaling pixels to [0,1].</summary>
    public abstract float[] Mean { get; }

    /// <summary>Per-channel standard deviation, in [0,1] units, divided by after subtracting <see cref="Mean"/>.</summary>
    public abstract float[] Std { get; }

    /// <summary>Whether a horizontal flip keeps the label (false for digits and text).</summary>
    public abstract bool AllowFlip { get; }

    /// <summary>
    /// A loader over one split whose batches live on <paramref name="device"/>; with a <paramref name="sampler"/>, over
    /// that rank's share of the split only (data-parallel training).
    /// </summary>
    public abstract IDataLoader CreateLoader(Split split, int batchSize, torch.Device device, int seed, Augmentation augment,
        Distributed.DistributedSampler? sampler = null);

    /// <summary>Releases the images held in memory, if any.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
