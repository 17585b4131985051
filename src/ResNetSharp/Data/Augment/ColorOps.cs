using static TorchSharp.torch;

namespace ResNetSharp.Data.Augment;

/// <summary>
/// The colour operations of torchvision 0.14's <c>functional_tensor</c> on uint8 batches [B,C,H,W] (C = 1 or 3), each
/// image with its own parameter, computed in the same float32 steps so the bytes equal torchvision's.
/// </summary>
internal static class ColorOps
{
    /// <summary>
    /// torchvision's <c>_blend</c>: ratio·a + (1 − ratio)·b in float32, clamped to 0–255 and truncated to uint8, with
    /// <paramref name="ratios"/>[i] for image i; <paramref name="other"/> broadcasts against the batch.
    /// </summary>
    public static Tensor Blend(Tensor images, Tensor other, double[] ratios)
    {
        using var scope = NewDisposeScope();
        var ratio = Factors(ratios, r => r, images.device);
        var rest = Factors(ratios, r => 1.0 - r, images.device);
        return images.to(float32).mul(ratio).add_(other.to(float32).mul(rest)).clamp_(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>adjust_brightness: a blend with black.</summary>
    public static Tensor Brightness(Tensor images, double[] factors) => Blend(images, zeros(1, device: images.device), factors);

    /// <summary>adjust_saturation: a blend with the grey image (grey images are returned as they are).</summary>
    public static Tensor Saturation(Tensor images, double[] factors)
    {
        if (images.shape[1] == 1) return images.alias();
        using var scope = NewDisposeScope();
        return Blend(images, Grayscale(images), factors).MoveToOuterDisposeScope();
    }

    /// <summary>adjust_contrast: a blend with the mean of the (uint8) grey image.</summary>
    public static Tensor Contrast(Tensor images, double[] factors)
    {
        using var scope = NewDisposeScope();
        var grey = images.shape[1] == 3 ? Grayscale(images) : images;
        var mean = grey.to(float32).mean([1, 2, 3], keepdim: true);
        return Blend(images, mean, factors).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// adjust_sharpness: a blend with the image smoothed by the 3×3 kernel [1 1 1; 1 5 1; 1 1 1]/13 (rounded to uint8),
    /// whose one-pixel border is the original; images of side 2 or less are returned as they are.
    /// </summary>
    public static Tensor Sharpness(Tensor images, double[] factors)
    {
        long c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (h <= 2 || w <= 2) return images.alias();
        using var scope = NewDisposeScope();
        var kernel = ones(3, 3, device: images.device);
        kernel[1, 1] = 5f;
        kernel = kernel.div(kernel.sum()).expand(c, 1, 3, 3);
        var smooth = nn.functional.conv2d(images.to(float32), kernel, groups: c).round_().to(ScalarType.Byte);
        var degenerate = images.clone();
        degenerate[.., .., 1..^1, 1..^1] = smooth;
        return Blend(images, degenerate, factors).MoveToOuterDisposeScope();
    }

    /// <summary>posterize: keeps the top <paramref name="bits"/>[i] bits of image i's values.</summary>
    public static Tensor Posterize(Tensor images, int[] bits)
    {
        using var scope = NewDisposeScope();
        var masks = tensor(bits.Select(b => (byte)(0xFF << (8 - b))).ToArray(), device: images.device).view(-1, 1, 1, 1);
        return images.bitwise_and(masks).MoveToOuterDisposeScope();
    }

    /// <summary>solarize: inverts image i's values at or above <paramref name="thresholds"/>[i].</summary>
    public static Tensor Solarize(Tensor images, double[] thresholds)
    {
        using var scope = NewDisposeScope();
        var threshold = Factors(thresholds, t => t, images.device);
        return where(images.to(float32).ge(threshold), Invert(images), images).MoveToOuterDisposeScope();
    }

    /// <summary>invert: 255 − value (for uint8, the bitwise complement).</summary>
    public static Tensor Invert(Tensor images) => images.bitwise_not();

    /// <summary>autocontrast: each channel stretched from its [min, max] to [0, 255]; constant channels unchanged.</summary>
    public static Tensor AutoContrast(Tensor images)
    {
        using var scope = NewDisposeScope();
        var min = images.amin([2, 3], keepdim: true).to(float32);
        var max = images.amax([2, 3], keepdim: true).to(float32);
        var scale = full(1, 255f, device: images.device).div(max - min);
        var flat = scale.isfinite().logical_not();
        min = min.masked_fill(flat, 0);
        scale = scale.masked_fill(flat, 1);
        return images.to(float32).sub(min).mul(scale).clamp_(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// equalize, torchvision's <c>_scale_channel</c> on every channel at once: step = (pixels − the count of the
    /// highest value present) / 255 (floored); lut[v] = (cumulative count below v + step / 2) / step; a channel with
    /// step 0 is unchanged.
    /// </summary>
    public static Tensor Equalize(Tensor images)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var values = images.reshape(b * c, h * w).to(int64);
        var hist = zeros([b * c, 256], int64, images.device).scatter_add_(1, values, ones_like(values));
        var top = hist.gather(1, values.amax([1], keepdim: true));
        var step = (h * w - top).div(255, RoundingMode.floor);
        var safe = step.clamp_min(1);
        var lut = hist.cumsum(1).add(step.div(2, RoundingMode.floor)).div(safe, RoundingMode.floor);
        lut = nn.functional.pad(lut, [1, 0]).narrow(1, 0, 256).clamp_(0, 255);
        var equalized = where(step.eq(0), values, lut.gather(1, values));
        return equalized.to(ScalarType.Byte).view(b, c, h, w).MoveToOuterDisposeScope();
    }

    /// <summary>rgb_to_grayscale: (0.2989·R + 0.587·G + 0.114·B) in float32, truncated to uint8, as [B,1,H,W].</summary>
    private static Tensor Grayscale(Tensor images)
    {
        using var scope = NewDisposeScope();
        var rgb = images.to(float32).unbind(1);
        var grey = rgb[0].mul(0.2989f).add_(rgb[1].mul(0.587f)).add_(rgb[2].mul(0.114f));
        return grey.to(ScalarType.Byte).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>A float32 [B,1,1,1] tensor of f(value) per image, f computed in double as Python does before the cast.</summary>
    private static Tensor Factors(double[] values, Func<double, double> f, Device device) =>
        tensor(values.Select(v => (float)f(v)).ToArray(), device: device).view(-1, 1, 1, 1);
}
