using ResNetSharp.Interop.Onnx;
using ResNetSharp.Settings;

namespace ResNetSharp.Interop;

/// <summary>
/// How <c>resnet export</c> writes a model (given apart, as a <c>ModelSource</c>): the format and file, and the ONNX
/// export's opset and batch dimension.
/// </summary>
public sealed record ExportOptions
{
    /// <summary>The file format (default ONNX, a model file with labels and preprocessing in its metadata).</summary>
    [Setting("format", "onnx (a model file: labels and preprocessing in its metadata), safetensors or pth.")]
    public ExportFormat Format { get; init; } = ExportFormat.Onnx;

    /// <summary>The file to write.</summary>
    [Setting("out", "The file to write.", Required = true)]
    public string? Out { get; init; }

    /// <summary>The opset, and the batch dimension symbolic (default here: model files take batches).</summary>
    [SettingsGroup]
    public OnnxExportOptions Onnx { get; init; } = new() { DynamicBatch = true };

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting; returns the file to write.</summary>
    public string Validate() =>
        Out ?? throw new ResNetSharpException("ExportOptions.Out is required: the file to write.");
}
