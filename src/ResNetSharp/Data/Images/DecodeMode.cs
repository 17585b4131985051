namespace ResNetSharp.Data.Images;

/// <summary>
/// How <see cref="CropDecoder"/> decodes: <see cref="Fast"/> decodes a JPEG in the DCT domain at the smallest of 1/8, 1/4,
/// 1/2 or full scale that keeps the crop at least the output size (without TurboJPEG, only the crop's rows and
/// columns) and draws it with Skia's low-precision filter; <see cref="Exact"/> decodes the whole image at full size and
/// draws it with the high-precision filter (the reference pixels, those of the previous loader).
/// </summary>
public enum DecodeMode
{
    /// <summary>Scaled DCT decoding and Skia's low-precision filter: the fast path.</summary>
    Fast,
    /// <summary>Full-size decoding and the high-precision filter: the reference pixels.</summary>
    Exact,
}
