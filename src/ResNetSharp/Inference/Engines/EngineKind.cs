using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Inference.Engines;

/// <summary>Which engine runs the forward pass: <c>auto</c> (torch on CUDA, onnxruntime on the CPU), <c>torch</c> or <c>onnxruntime</c>.</summary>
public enum EngineKind
{
    /// <summary>torch on CUDA, onnxruntime on the CPU (<see cref="InferenceEngines.Resolve"/>).</summary>
    Auto,
    /// <summary>TorchSharp (<see cref="TorchEngine"/>), on the CPU or CUDA.</summary>
    Torch,
    /// <summary>ONNX Runtime on the CPU (<see cref="OnnxRuntimeEngine"/>).</summary>
    OnnxRuntime,
}

/// <summary>Parses engine names and builds engines.</summary>
public static class InferenceEngines
{
    /// <summary>The accepted names, for help texts and errors.</summary>
    public const string Forms = "auto, torch or onnxruntime";

    /// <summary>An engine name as given on the command line.</summary>
    public static EngineKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => EngineKind.Auto,
        "torch" => EngineKind.Torch,
        "onnxruntime" or "ort" => EngineKind.OnnxRuntime,
        _ => throw new ResNetSharpException($"unknown engine '{text}': use {Forms}."),
    };

    /// <summary><see cref="EngineKind.Auto"/> made concrete for <paramref name="device"/>: torch on CUDA, onnxruntime on the CPU.</summary>
    public static EngineKind Resolve(EngineKind kind, Device device) =>
        kind != EngineKind.Auto ? kind : device.type == DeviceType.CUDA ? EngineKind.Torch : EngineKind.OnnxRuntime;

    /// <summary>
    /// The engine for <paramref name="model"/> (in eval mode; the engine takes no ownership): torch through
    /// <see cref="FusedResNet"/> when <paramref name="fused"/> (bf16 allowed on CUDA), or
    /// onnxruntime, which runs on the CPU only, with <paramref name="threads"/> intra-op threads (0: one per core).
    /// </summary>
    public static IInferenceEngine Create(ResNet model, EngineKind kind, Device device, bool fused = false,
        Precision precision = Precision.FP32, int threads = 0)
    {
        kind = Resolve(kind, device);
        if (precision != Precision.FP32 && (kind != EngineKind.Torch || device.type != DeviceType.CUDA))
            throw new ResNetSharpException($"EngineSettings.Precision {precision.Name()} needs the torch engine on CUDA; on the CPU use fp32.");
        if (kind == EngineKind.OnnxRuntime)
        {
            if (device.type != DeviceType.CPU)
                throw new ResNetSharpException($"the onnxruntime engine runs on the CPU, not {device}: use EngineSettings.Kind torch on CUDA, or InferenceSettings.Device cpu.");
            return new OnnxRuntimeEngine(model, threads);
        }
        return new TorchEngine(model, device, fused, precision);
    }
}
