namespace ResNetSharp.Data.Images;

/// <summary>
/// How <see cref="CropDecoder"/> decodes: <see cref="Fast"/> decodes a JPEG in the DCT domain at the smallest of 1/8, 1/4,
/// 1/2 or full scale that keeps the crop at least the output size, and only the crop's rows and columns;
/// <see cref="Exact"/> decodes the whole image at full size (the reference pixels).
/// </summary>
public enum DecodeMode { Fast, Exact }
