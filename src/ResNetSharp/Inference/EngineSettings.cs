using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;

namespace ResNetSharp.Inference;

/// <summary>
/// How a <see cref="Predictor"/> runs its forward pass: the engine, TorchSharp's fused path, and the precision (bf16: torch
/// on CUDA only). The <c>--engine</c>, <c>--fused</c> and <c>--precision</c> settings of the commands that run a model.
/// </summary>
/// <param name="Kind">What runs the forward pass (default torch; the commands default to <see cref="EngineKind.Auto"/>).</param>
/// <param name="Fused">TorchSharp's inference fast path (<see cref="FusedResNet"/>); implies the torch engine.</param>
/// <param name="Precision">fp32, or bf16 convolutions and linear layers.</param>
public sealed record EngineSettings(
    [property: Setting("engine", "What runs the forward pass: " + InferenceEngines.Forms + ". auto: torch on CUDA, ONNX Runtime on the CPU (faster there).")]
    EngineKind Kind = EngineKind.Torch,
    [property: Setting("fused", "The inference fast path: batch norm folded into the convolutions, the network one TorchScript function (cuDNN fused conv + add + ReLU on CUDA). Same results within rounding; post-activation models.")]
    bool Fused = false,
    [property: Setting("precision", "fp32, or bf16 (convolutions and linear layers in bf16).")]
    Precision Precision = Precision.FP32)
{
    /// <summary>The torch engine in fp32, unfused.</summary>
    public EngineSettings() : this(EngineKind.Torch) { }

    /// <summary>
    /// The settings in effect: <see cref="Fused"/> implies the torch engine, so it is an error with ONNX Runtime
    /// (a <see cref="ResNetSharpException"/> naming both settings).
    /// </summary>
    public EngineSettings Validate()
    {
        if (!Fused) return this;
        if (Kind == EngineKind.OnnxRuntime)
            throw new ResNetSharpException("EngineSettings.Fused is TorchSharp's fast path: use it with EngineSettings.Kind torch (or auto), not onnxruntime.");
        return this with { Kind = EngineKind.Torch };
    }
}
