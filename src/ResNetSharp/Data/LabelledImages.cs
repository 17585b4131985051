using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>A whole split in memory: uint8 images [N,C,H,W] and int64 labels [N], owning both tensors.</summary>
public sealed class LabelledImages : IDisposable
{
    /// <summary>Takes ownership of uint8 <paramref name="images"/> [N,C,H,W] and <paramref name="labels"/> [N] (converted to int64).</summary>
    /// <param name="images">The pixels, uint8, [N,C,H,W].</param>
    /// <param name="labels">The class index of each image, [N].</param>
    /// <exception cref="ArgumentException">The dtypes or shapes do not match.</exception>
    public LabelledImages(Tensor images, Tensor labels)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"expected uint8 [N,C,H,W] images and [N] labels, got {images.dtype} [{string.Join(",", images.shape)}] and [{string.Join(",", labels.shape)}].");
        Images = images.DetachFromDisposeScope();
        Labels = labels.to(int64).DetachFromDisposeScope();
    }

    /// <summary>Builds the tensors from raw CHW pixel bytes (N·C·H·W of them) and labels.</summary>
    public LabelledImages(byte[] pixels, long[] labels, int channels, int height, int width)
        : this(tensor(pixels, [labels.LongLength, channels, height, width]), tensor(labels)) { }

    /// <summary>The pixels, uint8 [N,C,H,W] on the CPU.</summary>
    public Tensor Images { get; }
    /// <summary>The class indices, int64 [N].</summary>
    public Tensor Labels { get; }
    /// <summary>The number of images, N.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Bad image files left out when the split was loaded (<see cref="Loading.BadImagePolicy.Skip"/>).</summary>
    public long BadImages { get; init; }

    /// <summary>Per-channel mean and standard deviation of the pixels, in [0,1] units.</summary>
    public (float[] Mean, float[] Std) ChannelStats()
    {
        using var scope = NewDisposeScope();
        var x = Images.to(float64).div(255.0);
        var mean = x.mean([0, 2, 3]).to(float32).data<float>().ToArray();
        var std = x.std([0, 2, 3]).to(float32).data<float>().ToArray();
        return (mean, std);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
