using System.Text.Json;
using ResNetSharp.Settings;

namespace ResNetSharp.Quantization;

/// <summary>The element type of quantized activations (<see cref="QuantizeOptions.Activations"/>).</summary>
public enum ActivationType
{
    /// <summary>uint8, asymmetric (U8S8 with int8 weights; the default).</summary>
    UInt8,

    /// <summary>int8, asymmetric (S8S8 with int8 weights).</summary>
    Int8,
}

/// <summary>How <see cref="Int8Quantizer"/> calibrates and quantizes (the flags of <c>resnet quantize</c>).</summary>
public sealed record QuantizeOptions
{
    /// <summary>Default number of calibration images.</summary>
    public const int DefaultImages = 512;

    /// <summary>How activation ranges are chosen (default min/max, as ONNX Runtime's quantizer).</summary>
    [Setting("method", "How activation ranges are chosen from the calibration images: minmax, percentile (of |x|, see --percentile) or entropy (KL divergence, as TensorRT).")]
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>The percentile of |x| that <see cref="CalibrationMethod.Percentile"/> keeps.</summary>
    [Setting("percentile", "The percentile of |x| kept by --method percentile, in (0, 100].")]
    public double Percentile { get; init; } = 99.999;

    /// <summary>Calibration images to use (the first ones the calibration batches give).</summary>
    [Setting("calibration-images", "Calibration images to use (the first of the calibration data's training split, in a fixed shuffle).")]
    public int CalibrationImages { get; init; } = DefaultImages;

    /// <summary>Symmetric int8 weights per output channel (true) or per tensor.</summary>
    [Setting("per-channel", "Symmetric int8 weights per output channel (true) or per tensor (false).")]
    public bool PerChannel { get; init; } = true;

    /// <summary>
    /// The activations' type: uint8 (U8S8, default) or int8 (S8S8). ONNX Runtime's x86 kernels take uint8 activations: it converts
    /// an S8S8 model's activations itself, but only where a quantized value has a single reader, so in S8S8 the
    /// residual blocks' inputs (read by a convolution and the shortcut) stay unfused. With AVX-512 VNNI U8S8 does not saturate.
    /// </summary>
    [Setting("activations", "uint8 (U8S8, the default: ONNX Runtime's x86 kernels take uint8 activations) or int8 (S8S8).")]
    public ActivationType Activations { get; init; } = ActivationType.UInt8;

    /// <summary>Whether <see cref="Activations"/> are uint8.</summary>
    public bool UnsignedActivations => Activations == ActivationType.UInt8;

    /// <summary>Conv and linear layers (state_dict names or prefixes, e.g. <c>conv1</c>, <c>fc</c>, <c>layer4</c>) left in fp32.</summary>
    [Setting("keep-fp32", "Conv and linear layers left in fp32, comma-separated state_dict names or prefixes (e.g. conv1,fc or layer4).")]
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
        if (CalibrationImages < 1) throw new ResNetSharpException($"QuantizeOptions.CalibrationImages must be at least 1, not {CalibrationImages}.");
        if (Percentile is <= 0 or > 100) throw new ResNetSharpException($"QuantizeOptions.Percentile must be in (0, 100], not {Percentile}.");
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
