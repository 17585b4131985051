using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Torch;
using ResNetSharp.Models;

namespace ResNetSharp.Interop;

/// <summary>The file formats a model can be exported to.</summary>
public enum ExportFormat
{
    /// <summary>ONNX model (graph and weights) for ONNX Runtime and other inference engines.</summary>
    Onnx,
    /// <summary>safetensors weights with torchvision's state_dict names.</summary>
    SafeTensors,
    /// <summary>PyTorch state_dict (<c>torch.load</c> reads it), torchvision's names.</summary>
    Pth,
}

/// <summary>Exports a model's graph or weights to a file (<c>resnet export</c>).</summary>
public static class ModelExport
{
    /// <summary>Parses <c>onnx</c>, <c>safetensors</c> or <c>pth</c>.</summary>
    public static ExportFormat ParseFormat(string text) => text.Trim().ToLowerInvariant() switch
    {
        "onnx" => ExportFormat.Onnx,
        "safetensors" => ExportFormat.SafeTensors,
        "pth" or "pt" => ExportFormat.Pth,
        _ => throw new ResNetSharpException($"unknown export format '{text}': use onnx, safetensors or pth."),
    };

    /// <summary>Writes the model (in eval mode for ONNX) to <paramref name="path"/> atomically.</summary>
    public static void Export(ResNet model, ExportFormat format, string path, OnnxExportOptions? onnx = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (format == ExportFormat.Onnx)
        {
            model.eval();
            OnnxExport.Save(model, path, onnx);
            return;
        }
        using var weights = WeightLoading.StateDict(model);
        if (format == ExportFormat.SafeTensors) SafeTensors.Save(path, weights.Tensors, metadata);
        else TorchCheckpoint.Save(path, weights.Tensors);
    }
}
