namespace ResNetSharp.Data;

/// <summary>
/// Training-time augmentation. For small images (CIFAR, synthetic) <see cref="Crop"/> is a random crop after
/// zero-padding by <see cref="CropPadding"/> pixels; for ImageNet-style folders it is a random-resized crop
/// (scale 0.08–1, aspect 3/4–4/3). <see cref="Flip"/> is a horizontal flip with probability 1/2, applied only when the
/// data allows it. <see cref="Cutout"/> zeroes (after normalisation, i.e. sets to the mean) one square of side
/// <see cref="CutoutSize"/> (0: half the image side) centred anywhere in the image (DeVries &amp; Taylor 2017).
/// Validation batches are never augmented.
/// </summary>
public sealed record Augmentation(bool Crop, bool Flip, bool Cutout, int CropPadding = 4, int CutoutSize = 0)
{
    /// <summary>No augmentation.</summary>
    public static Augmentation None { get; } = new(false, false, false);

    /// <summary>Random crop (padding 4, or random-resized crop) and horizontal flip: the usual ResNet recipe.</summary>
    public static Augmentation Standard { get; } = new(true, true, false);

    /// <summary>Whether any augmentation is on.</summary>
    public bool Any => Crop || Flip || Cutout;

    /// <summary>
    /// Parses "standard", "none", or a comma list of "crop[=PADDING]", "flip", "cutout[=SIZE]"
    /// (e.g. "crop,flip,cutout=8"); "standard" may start the list ("standard,cutout").
    /// </summary>
    public static Augmentation Parse(string text)
    {
        var result = None;
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = raw.Split('=', 2);
            string name = parts[0].ToLowerInvariant();
            int? value = parts.Length == 2 ? ParseValue(raw, parts[1]) : null;
            result = (name, value) switch
            {
                ("none", null) => result,
                ("standard", null) => result with { Crop = true, Flip = true },
                ("crop", _) => result with { Crop = true, CropPadding = value ?? 4 },
                ("flip", null) => result with { Flip = true },
                ("cutout", _) => result with { Cutout = true, CutoutSize = value ?? 0 },
                _ => throw Bad(raw),
            };
        }
        return result;
    }

    /// <summary>The canonical text form, which <see cref="Parse"/> reads back.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Crop) parts.Add(CropPadding == 4 ? "crop" : $"crop={CropPadding}");
        if (Flip) parts.Add("flip");
        if (Cutout) parts.Add(CutoutSize == 0 ? "cutout" : $"cutout={CutoutSize}");
        return parts.Count == 0 ? "none" : string.Join(',', parts);
    }

    private static int ParseValue(string token, string value) =>
        int.TryParse(value, out int n) && n >= 0 ? n : throw Bad(token);

    private static ResNetSharpException Bad(string token) => new(
        $"unknown augmentation '{token}'; use 'standard', 'none' or a comma list of crop[=PADDING], flip, cutout[=SIZE] (e.g. 'crop,flip,cutout=8').");
}
