using System.Text.Json;

namespace ResNetSharp.Quantization;

/// <summary>How <see cref="Int8Quantizer"/> calibrates and quantizes (the flags of <c>resnet quantize</c>).</summary>
public sealed record QuantizeOptions
{
    /// <summary>Default number of calibration images.</summary>
    public const int DefaultImages = 512;

    /// <summary>How activation ranges are chosen (default min/max, as ONNX Runtime's quantizer).</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>The percentile of |x| that <see cref="CalibrationMethod.Percentile"/> keeps.</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>Calibration images to use (the first ones the calibration batches give).</summary>
    public int CalibrationImages { get; init; } = DefaultImages;

    /// <summary>Symmetric int8 weights per output channel (true) or per tensor.</summary>
    public bool PerChannel { get; init; } = true;

    /// <summary>
    /// uint8 activations (U8S8, default) or int8 (S8S8). ONNX Runtime's x86 kernels take uint8 activations: it converts
    /// an S8S8 model's activations itself, but only where a quantized value has a single reader, so in S8S8 the
    /// residual blocks' inputs (read by a convolution and the shortcut) stay unfused. With AVX-512 VNNI U8S8 does not saturate.
    /// </summary>
    public bool UnsignedActivations { get; init; } = true;

    /// <summary>Conv and linear layers (state_dict names or prefixes, e.g. <c>conv1</c>, <c>fc</c>, <c>layer4</c>) left in fp32.</summary>
    public IReadOnlyList<string> KeepFp32 { get; init; } = [];

    /// <summary>Parses <c>minmax</c>, <c>percentile</c> or <c>entropy</c>.</summary>
    public static CalibrationMethod ParseMethod(string text) => text.Trim().ToLowerInvariant() switch
    {
        "minmax" => CalibrationMethod.MinMax,
        "percentile" => CalibrationMethod.Percentile,
        "entropy" => CalibrationMethod.Entropy,
        _ => throw new ResNetSharpException($"unknown calibration method '{text}': use minmax, percentile or entropy."),
    };

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting.</summary>
    public void Check()
    {
        if (CalibrationImages < 1) throw new ResNetSharpException($"--calibration-images must be at least 1, not {CalibrationImages}.");
        if (Percentile is <= 0 or > 100) throw new ResNetSharpException($"the calibration percentile must be in (0, 100], not {Percentile}.");
    }

    /// <summary>The settings as stored in the quantized file's metadata (JSON), with the images actually used.</summary>
    public string Describe(int imagesUsed) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["format"] = UnsignedActivations ? "QDQ U8S8" : "QDQ S8S8",
        ["activations"] = (UnsignedActivations ? "uint8" : "int8") + " asymmetric per tensor",
        ["weights"] = "int8 symmetric " + (PerChannel ? "per channel" : "per tensor"),
        ["method"] = Method.ToString().ToLowerInvariant(),
        ["percentile"] = Percentile,
        ["images"] = imagesUsed,
        ["keep_fp32"] = KeepFp32,
    });
}
