using ResNetSharp.Data;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Settings;

namespace ResNetSharp.Quantization;

/// <summary>
/// The calibration data and the output file of <c>resnet quantize</c> (<see cref="QuantizeOptions"/> says how it
/// calibrates).
/// </summary>
public sealed record QuantizeFiles
{
    /// <summary>A data spec (<see cref="DataSpec"/>) whose training split calibrates, preprocessed as for evaluation.</summary>
    [Setting("calibrate", "Calibration data, preprocessed as for evaluation (its training split): " + DataSpec.Forms + ".")]
    public string? Calibrate { get; init; }

    /// <summary>Whether missing dataset files of <see cref="Calibrate"/> may be downloaded.</summary>
    [Setting("download", "Download missing dataset files.")]
    public bool Download { get; init; }

    /// <summary>The int8 ONNX model file to write.</summary>
    [Setting("out", "The int8 ONNX model file to write (.onnx).")]
    public string? Out { get; init; }

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first missing or bad setting; returns these settings.</summary>
    public QuantizeFiles Validate()
    {
        if (string.IsNullOrWhiteSpace(Calibrate)) throw new ResNetSharpException($"QuantizeFiles.Calibrate is required: the calibration data ({DataSpec.Forms}).");
        if (string.IsNullOrWhiteSpace(Out)) throw new ResNetSharpException("QuantizeFiles.Out is required: the int8 ONNX model file to write.");
        if (!OnnxModelFile.IsOnnx(Out)) throw new ResNetSharpException($"QuantizeFiles.Out '{Out}' must end in .onnx: the int8 model is an ONNX file.");
        return this;
    }
}
