namespace ResNetSharp.Interop.Pretrained;

/// <summary>
/// One of torchvision's published ImageNet-1k weight files for a named model (torchvision's <c>ResNet50_Weights.IMAGENET1K_V2</c>
/// and the like): its file name, whose part after the last '-' is the start of the file's SHA-256 (torch.hub's check),
/// the resize side of its evaluation transform (center crop 224 after it) and its published ImageNet top-1.
/// </summary>
public sealed record PretrainedEntry(string Model, string Tag, string FileName, int ResizeSize, double ImageNetTop1)
{
    /// <summary>The side of the center crop that every entry's evaluation transform takes.</summary>
    public const int CropSize = 224;

    /// <summary>The hex digits that the file's SHA-256 must start with.</summary>
    public string Sha256Prefix => FileName[(FileName.LastIndexOf('-') + 1)..FileName.LastIndexOf('.')];

    /// <summary>The crop side over the resize side (224/256 for V1 weights, 224/232 for V2), as <c>PreprocessForEval</c> takes it.</summary>
    public float CropFraction => CropSize / (float)ResizeSize;
}
