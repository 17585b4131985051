using System.Runtime.Intrinsics;
using ResNetSharp.Runtime;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Loading;

/// <summary>
/// ToTensor + Normalize of a uint8 RGBA batch [B,H,W,4] from the CPU on the training device: x · 1/(255·std) +
/// (−mean/std) per channel, equal to <see cref="Transforms.TensorTransforms.Normalize"/> within float rounding.
/// Returns float RGB [B,3,H,W] (alpha left out) in channels-last memory order.
/// <list type="bullet">
/// <item>On an accelerator the uint8 batch goes over (a quarter of the float bytes) and one fused multiply-add runs
/// there, its scale and shift tiled over the whole image once so the kernel runs over long contiguous rows.</item>
/// <item>On the CPU one pass on the calling thread reads the RGBA bytes and writes the three float channels: a
/// quarter of the memory traffic of the tiled kernel, and no OpenMP threads woken for it (they spin afterwards,
/// taking CPU from the decoding workers).</item>
/// </list>
/// </summary>
internal sealed class RgbaNormalizer : IDisposable
{
    private readonly float[] _scale, _shift;
    private readonly Device _device;
    private readonly Lazy<(Tensor Scale, Tensor Shift)> _tiled;

    /// <summary>
    /// The normaliser of square size × size batches; <paramref name="onDevice"/> (default: whether the device is an
    /// accelerator) picks the tensor kernel, which tests also run on the CPU to compare the two.
    /// </summary>
    public RgbaNormalizer(float[] mean, float[] std, int size, Device device, bool? onDevice = null)
    {
        _scale = [.. std.Select(s => 1 / (255 * s)), 0];
        _shift = [.. mean.Zip(std, (m, s) => -m / s), 0];
        _device = device;
        OnDevice = onDevice ?? device.type != TorchSharp.DeviceType.CPU;
        _tiled = new(() => (tensor(_scale, device: device).repeat(size * size).DetachFromDisposeScope(),
            tensor(_shift, device: device).repeat(size * size).DetachFromDisposeScope()));
    }

    /// <summary>Whether batches are normalised by a tensor kernel on the device rather than by the CPU loop.</summary>
    public bool OnDevice { get; }

    /// <summary>The normalised batch of <paramref name="rgba"/>, contiguous uint8 [B,H,W,4] on the CPU.</summary>
    public Tensor Apply(Tensor rgba)
    {
        long b = rgba.shape[0], h = rgba.shape[1], w = rgba.shape[2];
        if (OnDevice)
        {
            var (scale, shift) = _tiled.Value;
            return addcmul(shift, rgba.to(_device).view(b, -1), scale, 1).view(b, h, w, 4).narrow(3, 0, 3).permute(0, 3, 1, 2);
        }
        var output = empty([b, h, w, 3], float32);
        Normalize(rgba, output, b * h * w);
        return output.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// output[p, c] = rgba[p, c] · scale[c] + shift[c] for the <paramref name="pixels"/> pixels, c &lt; 3: two pixels
    /// per step as 8 floats, packed to their 6 RGB values by one shuffle (the 2 lanes past them are overwritten by the
    /// next step; the last pixels go one at a time).
    /// </summary>
    private unsafe void Normalize(Tensor rgba, Tensor output, long pixels)
    {
        byte* source = (byte*)TensorMemory.Address(rgba);
        float* target = (float*)TensorMemory.Address(output);
        var scale = Vector256.Create(_scale[0], _scale[1], _scale[2], 0, _scale[0], _scale[1], _scale[2], 0);
        var shift = Vector256.Create(_shift[0], _shift[1], _shift[2], 0, _shift[0], _shift[1], _shift[2], 0);
        var pack = Vector256.Create(0, 1, 2, 4, 5, 6, 7, 7);
        long p = 0;
        for (; p + 3 <= pixels; p += 2, source += 8, target += 6)
        {
            var words = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)source).AsByte());
            var ints = Vector256.Create(Vector128.WidenLower(words), Vector128.WidenUpper(words)).AsInt32();
            Vector256.Shuffle(Vector256.ConvertToSingle(ints) * scale + shift, pack).Store(target);
        }
        for (; p < pixels; p++, source += 4, target += 3)
            for (int c = 0; c < 3; c++) target[c] = source[c] * _scale[c] + _shift[c];
    }

    public void Dispose()
    {
        if (!_tiled.IsValueCreated) return;
        _tiled.Value.Scale.Dispose();
        _tiled.Value.Shift.Dispose();
    }
}
