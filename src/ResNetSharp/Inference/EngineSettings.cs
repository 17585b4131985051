using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;

namespace ResNetSharp.Inference;

/// <summary>
/// How a <see cref="Predictor"/> runs its forward pass: the engine, TorchSharp's fused path, the precision (bf16: torch
/// on CUDA only) and the engine's intra-op threads. The <c>--engine</c>, <c>--fused</c>, <c>--precision</c> and
/// <c>--threads</c> settings of the commands that run a model.
/// </summary>
/// <param name="Kind">What runs the forward pass (default torch; the commands default to <see cref="EngineKind.Auto"/>).</param>
/// <param name="Fused">TorchSharp's inference fast path (<see cref="FusedResNet"/>); implies the torch engine.</param>
/// <param name="Precision">fp32, or bf16 convolutions and linear layers.</param>
/// <param name="Threads">
/// Intra-op threads of the ONNX Runtime session (<see cref="OnnxRuntimeEngine"/>); 0: one per core. torch's thread
/// pool is per process, so the library leaves it alone; the CLI applies this to it too (torch.set_num_threads) at command start.
/// </param>
public sealed record EngineSettings(
    [property: Setting("engine", "What runs the forward pass: " + InferenceEngines.Forms + ". auto: torch on CUDA, ONNX Runtime on the CPU (faster there).")]
    EngineKind Kind = EngineKind.Torch,
    [property: Setting("fused", "The inference fast path: batch norm folded into the convolutions, the network one TorchScript function (cuDNN fused conv + add + ReLU on CUDA). Same results within rounding; post-activation models.")]
    bool Fused = false,
    [property: Setting("precision", "fp32, or bf16 (convolutions and linear layers in bf16).")]
    Precision Precision = Precision.FP32,
    [property: Setting("threads", EngineSettings.ThreadsDescription)]
    int Threads = 0)
{
    /// <summary>
    /// The help text of <c>--threads</c>, also that of <c>resnet serve</c>'s (<c>ResNetClassifierOptions.Threads</c>,
    /// whose options bind from configuration by property name).
    /// </summary>
    public const string ThreadsDescription = "Intra-op threads of the engine: ONNX Runtime's session, and torch's (torch.set_num_threads, for the whole process); 0: one per core.";

    /// <summary>The torch engine in fp32, unfused.</summary>
    public EngineSettings() : this(EngineKind.Torch) { }

    /// <summary>
    /// The settings in effect: <see cref="Fused"/> implies the torch engine, so it is an error with ONNX Runtime
    /// (a <see cref="ResNetSharpException"/> naming both settings); <see cref="Threads"/> must be 0 or more.
    /// </summary>
    public EngineSettings Validate()
    {
        if (Threads < 0)
            throw new ResNetSharpException($"EngineSettings.Threads must be 0 (one per core) or more, not {Threads}.");
        if (!Fused) return this;
        if (Kind == EngineKind.OnnxRuntime)
            throw new ResNetSharpException("EngineSettings.Fused is TorchSharp's fast path: use it with EngineSettings.Kind torch (or auto), not onnxruntime.");
        return this with { Kind = EngineKind.Torch };
    }
}
