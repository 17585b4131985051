using static TorchSharp.torch;

namespace ResNetSharp.Data.Augment;

/// <summary>
/// torchvision 0.14's <c>_apply_op</c> on a uint8 batch [B,C,H,W] (C = 1 or 3): one operation, image i with signed
/// magnitude <c>magnitudes[i]</c>, with torchvision's meaning of the magnitude (1 + m for the colour factors, whole
/// pixels for translations, bits for posterize, a threshold for solarize, degrees for rotations), nearest
/// interpolation and zero fill.
/// </summary>
public static class AugmentOps
{
    /// <summary>The batch with <paramref name="op"/> applied to each image at its magnitude.</summary>
    public static Tensor Apply(AugmentOp op, Tensor images, IReadOnlyList<double> magnitudes)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4 || images.shape[1] is not (1 or 3))
            throw new ArgumentException($"expected a uint8 batch [B,1|3,H,W], got {images.dtype} [{string.Join(',', images.shape)}].", nameof(images));
        if (magnitudes.Count != images.shape[0])
            throw new ArgumentException($"expected {images.shape[0]} magnitudes, got {magnitudes.Count}.", nameof(magnitudes));
        double[] m = [.. magnitudes];
        double[] factors = [.. m.Select(v => 1.0 + v)];
        return op switch
        {
            AugmentOp.Identity => images.alias(),
            AugmentOp.ShearX => GeometricOps.Shear(images, m, vertical: false),
            AugmentOp.ShearY => GeometricOps.Shear(images, m, vertical: true),
            AugmentOp.TranslateX => GeometricOps.Translate(images, [.. m.Select(v => (int)v)], vertical: false),
            AugmentOp.TranslateY => GeometricOps.Translate(images, [.. m.Select(v => (int)v)], vertical: true),
            AugmentOp.Rotate => GeometricOps.Rotate(images, m),
            AugmentOp.Brightness => ColorOps.Brightness(images, factors),
            AugmentOp.Color => ColorOps.Saturation(images, factors),
            AugmentOp.Contrast => ColorOps.Contrast(images, factors),
            AugmentOp.Sharpness => ColorOps.Sharpness(images, factors),
            AugmentOp.Posterize => ColorOps.Posterize(images, [.. m.Select(v => (int)v)]),
            AugmentOp.Solarize => ColorOps.Solarize(images, m),
            AugmentOp.AutoContrast => ColorOps.AutoContrast(images),
            AugmentOp.Equalize => ColorOps.Equalize(images),
            AugmentOp.Invert => ColorOps.Invert(images),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
    }
}
