using System.Globalization;
using ResNetSharp.Data.Augment;

namespace ResNetSharp.Data;

/// <summary>
/// Training-time augmentation. For small images (CIFAR, synthetic) <see cref="Crop"/> is a random crop after
/// zero-padding by <see cref="CropPadding"/> pixels; for ImageNet-style folders it is a random-resized crop
/// (scale 0.08–1, aspect 3/4–4/3). <see cref="Flip"/> is a horizontal flip with probability 1/2, applied only when the
/// data allows it. <see cref="Cutout"/> zeroes (after normalisation, i.e. sets to the mean) one square of side
/// <see cref="CutoutSize"/> (0: half the image side) centred anywhere in the image (DeVries &amp; Taylor 2017).
/// <see cref="Mixup"/> and <see cref="CutMix"/> (the Beta(α, α) parameter; 0: off) mix each batch with itself in
/// reverse order, as timm's batch-mode Mixup does: mixup blends whole images (Zhang et al. 2018), CutMix pastes a box
/// (Yun et al. 2019); the loss weighs both labels by the mixed share. With both on, each batch uses one of the two,
/// with probability 1/2. <see cref="Policy"/> (TrivialAugmentWide, RandAugment or AutoAugment, as torchvision 0.14
/// defines them) transforms each uint8 image after the crop and flip; <see cref="Erasing"/> is RandomErasing's
/// probability (0: off), applied after normalisation and cutout, before mixing. Validation batches are never augmented.
/// </summary>
public sealed record Augmentation(bool Crop, bool Flip, bool Cutout, int CropPadding = 4, int CutoutSize = 0,
    double Mixup = 0, double CutMix = 0, AugmentPolicy? Policy = null, double Erasing = 0)
{
    /// <summary>No augmentation.</summary>
    public static Augmentation None { get; } = new(false, false, false);

    /// <summary>Random crop (padding 4, or random-resized crop) and horizontal flip: the usual ResNet recipe.</summary>
    public static Augmentation Standard { get; } = new(true, true, false);

    /// <summary>Mixup's α when a bare "mixup" is given: ResNet strikes back's (Wightman et al. 2021) value.</summary>
    public const double DefaultMixup = 0.2;

    /// <summary>CutMix's α when a bare "cutmix" is given: the CutMix paper's and timm's value.</summary>
    public const double DefaultCutMix = 1.0;

    /// <summary>Whether any augmentation is on.</summary>
    public bool Any => Crop || Flip || Cutout || Mixes || Policy is not null || Erasing > 0;

    /// <summary>Whether batches are mixed (mixup or CutMix).</summary>
    public bool Mixes => Mixup > 0 || CutMix > 0;

    /// <summary>
    /// Parses "standard", "none", or a comma list of "crop[=PADDING]", "flip", "cutout[=SIZE]", "mixup[=ALPHA]",
    /// "cutmix[=ALPHA]", "trivialaugment", "randaugment[=N:M]", "autoaugment[=imagenet|cifar10|svhn]", "erasing[=P]"
    /// (e.g. "crop,flip,cutout=8", "standard,mixup=0.2,cutmix", "standard,trivialaugment,erasing=0.25"); "standard"
    /// may start the list.
    /// </summary>
    public static Augmentation Parse(string text)
    {
        var result = None;
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = raw.Split('=', 2);
            string name = parts[0].ToLowerInvariant();
            if (PolicyParser.TryParse(name, parts.Length == 2 ? parts[1] : null, raw) is { } policy)
            {
                result = result with { Policy = policy };
                continue;
            }
            double? value = parts.Length == 2 ? ParseValue(raw, parts[1]) : null;
            result = (name, value) switch
            {
                ("none", null) => result,
                ("standard", null) => result with { Crop = true, Flip = true },
                ("crop", _) => result with { Crop = true, CropPadding = Whole(raw, value ?? 4) },
                ("flip", null) => result with { Flip = true },
                ("cutout", _) => result with { Cutout = true, CutoutSize = Whole(raw, value ?? 0) },
                ("mixup", not 0) => result with { Mixup = value ?? DefaultMixup },
                ("cutmix", not 0) => result with { CutMix = value ?? DefaultCutMix },
                ("erasing", null or (> 0 and <= 1)) => result with { Erasing = value ?? RandomErasing.DefaultProbability },
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
        if (Mixup > 0) parts.Add(FormattableString.Invariant($"mixup={Mixup}"));
        if (CutMix > 0) parts.Add(FormattableString.Invariant($"cutmix={CutMix}"));
        if (Policy is not null) parts.Add(Policy.ToString());
        if (Erasing > 0) parts.Add(FormattableString.Invariant($"erasing={Erasing}"));
        return parts.Count == 0 ? "none" : string.Join(',', parts);
    }

    private static double ParseValue(string token, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            && v >= 0 && double.IsFinite(v) ? v : throw Bad(token);

    private static int Whole(string token, double value) => value == Math.Floor(value) && value <= int.MaxValue ? (int)value : throw Bad(token);

    private static ResNetSharpException Bad(string token) => new(
        $"unknown augmentation '{token}'; use 'standard', 'none' or a comma list of crop[=PADDING], flip, cutout[=SIZE], "
        + "mixup[=ALPHA], cutmix[=ALPHA], trivialaugment, randaugment[=N:M], autoaugment[=imagenet|cifar10|svhn], erasing[=P] "
        + "(e.g. 'crop,flip,cutout=8' or 'standard,trivialaugment,erasing=0.25,mixup=0.2,cutmix=1').");
}
