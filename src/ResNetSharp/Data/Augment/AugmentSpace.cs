using static TorchSharp.torch;

namespace ResNetSharp.Data.Augment;

/// <summary>
/// torchvision 0.14's augmentation spaces: each op's magnitude bins (float32 <c>linspace</c> values, as torchvision
/// reads them) and whether a random sign applies. The standard space is AutoAugment's and RandAugment's (translations
/// up to 150/331 of the side, rotations to 30°, colour factors to 0.9, posterize down to 4 bits); the wide one is
/// TrivialAugmentWide's (32 pixels, 135°, 0.99, down to 2 bits).
/// </summary>
internal static class AugmentSpace
{
    /// <summary>The ops RandAugment and TrivialAugmentWide choose among uniformly, in torchvision's order.</summary>
    public static readonly AugmentOp[] RandomOps =
    [
        AugmentOp.Identity, AugmentOp.ShearX, AugmentOp.ShearY, AugmentOp.TranslateX, AugmentOp.TranslateY, AugmentOp.Rotate,
        AugmentOp.Brightness, AugmentOp.Color, AugmentOp.Contrast, AugmentOp.Sharpness, AugmentOp.Posterize,
        AugmentOp.Solarize, AugmentOp.AutoContrast, AugmentOp.Equalize,
    ];

    /// <summary>Whether the op's magnitude gets a random sign (the geometric and colour-factor ops).</summary>
    public static bool Signed(AugmentOp op) => op is >= AugmentOp.ShearX and <= AugmentOp.Sharpness;

    /// <summary>Every op's <see cref="Bins"/>, computed once for a batch.</summary>
    public static Dictionary<AugmentOp, double[]> Table(int bins, long height, long width, bool wide) =>
        Enum.GetValues<AugmentOp>().ToDictionary(op => op, op => Bins(op, bins, height, width, wide));

    /// <summary>The op's <paramref name="bins"/> magnitudes for height × width images; empty for ops without one.</summary>
    public static double[] Bins(AugmentOp op, int bins, long height, long width, bool wide) => op switch
    {
        AugmentOp.ShearX or AugmentOp.ShearY => Linspace(0, wide ? 0.99 : 0.3, bins),
        AugmentOp.TranslateX => Linspace(0, wide ? 32.0 : 150.0 / 331.0 * width, bins),
        AugmentOp.TranslateY => Linspace(0, wide ? 32.0 : 150.0 / 331.0 * height, bins),
        AugmentOp.Rotate => Linspace(0, wide ? 135.0 : 30.0, bins),
        AugmentOp.Brightness or AugmentOp.Color or AugmentOp.Contrast or AugmentOp.Sharpness => Linspace(0, wide ? 0.99 : 0.9, bins),
        // 8 - round(arange(bins) / ((bins - 1) / levels)): no bin lands on a rounding tie for the bin counts used.
        AugmentOp.Posterize => [.. Enumerable.Range(0, bins).Select(k => 8.0 - Math.Round(k / ((bins - 1) / (wide ? 6.0 : 4.0)), MidpointRounding.ToEven))],
        AugmentOp.Solarize => Linspace(255, 0, bins),
        _ => [],
    };

    private static double[] Linspace(double start, double end, int bins)
    {
        using var values = linspace(start, end, bins);
        return [.. values.data<float>().Select(v => (double)v)];
    }
}
