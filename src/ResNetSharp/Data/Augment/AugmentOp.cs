namespace ResNetSharp.Data.Augment;

/// <summary>
/// The image operations of torchvision's AutoAugment, RandAugment and TrivialAugmentWide, in the order of their
/// augmentation spaces (RandAugment and TrivialAugmentWide pick uniformly among all but <see cref="Invert"/>).
/// </summary>
public enum AugmentOp
{
    /// <summary>The image unchanged.</summary>
    Identity,

    /// <summary>Horizontal shear by the magnitude (the tangent of the shear angle), about the top-left corner.</summary>
    ShearX,

    /// <summary>Vertical shear by the magnitude, about the top-left corner.</summary>
    ShearY,

    /// <summary>Horizontal shift by the magnitude in whole pixels (truncated toward zero).</summary>
    TranslateX,

    /// <summary>Vertical shift by the magnitude in whole pixels (truncated toward zero).</summary>
    TranslateY,

    /// <summary>Rotation by the magnitude in degrees (counter-clockwise) about the image centre.</summary>
    Rotate,

    /// <summary>Brightness scaled by 1 + magnitude (a blend with black).</summary>
    Brightness,

    /// <summary>Saturation scaled by 1 + magnitude (a blend with the grey image); grey images are unchanged.</summary>
    Color,

    /// <summary>Contrast scaled by 1 + magnitude (a blend with the mean grey level).</summary>
    Contrast,

    /// <summary>Sharpness scaled by 1 + magnitude (a blend with a 3×3 smoothed image, borders kept).</summary>
    Sharpness,

    /// <summary>Keeps the magnitude's number of high bits of each value.</summary>
    Posterize,

    /// <summary>Inverts the values at or above the magnitude (a threshold in 0–255).</summary>
    Solarize,

    /// <summary>Stretches each channel's range to 0–255.</summary>
    AutoContrast,

    /// <summary>Equalises each channel's histogram.</summary>
    Equalize,

    /// <summary>255 − value.</summary>
    Invert,
}
