using static TorchSharp.torch;

namespace ResNetSharp.Data.Loading;

/// <summary>
/// Device-side ToTensor + Normalize of a uint8 RGBA batch [B,H,W,4]: x · 1/(255·std) + (−mean/std) per channel, in one
/// fused multiply-add whose scale and shift are tiled over the whole image once (so the kernel runs over long
/// contiguous rows, not 3-element channel groups). Returns float RGB [B,3,H,W], a view with channels-last order
/// (alpha left out), equal to <see cref="Transforms.TensorTransforms.Normalize"/> within float rounding.
/// </summary>
internal sealed class RgbaNormalizer : IDisposable
{
    private readonly Tensor _scale, _shift;

    public RgbaNormalizer(float[] mean, float[] std, int size, Device device)
    {
        float[] scale = [.. std.Select(s => 1 / (255 * s)), 0], shift = [.. mean.Zip(std, (m, s) => -m / s), 0];
        _scale = tensor(scale, device: device).repeat(size * size).DetachFromDisposeScope();
        _shift = tensor(shift, device: device).repeat(size * size).DetachFromDisposeScope();
    }

    public Tensor Apply(Tensor rgba)
    {
        long b = rgba.shape[0], h = rgba.shape[1], w = rgba.shape[2];
        return addcmul(_shift, rgba.to(float32).view(b, -1), _scale, 1).view(b, h, w, 4).narrow(3, 0, 3).permute(0, 3, 1, 2);
    }

    public void Dispose()
    {
        _scale.Dispose();
        _shift.Dispose();
    }
}
