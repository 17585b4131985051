using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;

namespace ResNetSharp.Benchmarks;

/// <summary>What <c>resnet bench</c> measures: a full training step, inference, both, or the data loader alone.</summary>
public enum BenchMode
{
    /// <summary>A full training step: forward, loss, backward and optimizer step.</summary>
    Train,
    /// <summary>Inference: a forward pass in eval mode without gradients.</summary>
    Infer,
    /// <summary>Both, one after the other.</summary>
    Both,
    /// <summary>The data loader alone (<see cref="LoaderBenchmark"/>, with <see cref="LoaderBenchOptions"/>).</summary>
    Data,
}

/// <summary>One benchmark configuration (the flags of <c>resnet bench</c>; <c>--mode data</c> adds <see cref="LoaderBenchOptions"/>').</summary>
public sealed record BenchOptions
{
    /// <summary>A model name from the zoo.</summary>
    [Setting("model", "Model name (see `resnet models`).")]
    public string Model { get; init; } = "resnet50";

    /// <summary>Images per step (per rank when data-parallel).</summary>
    [Setting("batch-size", "Images per step (--mode data: images per batch, default 32).")]
    public int BatchSize { get; init; } = 64;

    /// <summary>Where to run: cpu, cuda, cuda:N or auto.</summary>
    [Setting("device", Devices.Description)]
    public string Device { get; init; } = "auto";

    /// <summary>fp32, or bf16 mixed precision.</summary>
    [Setting("precision", "fp32, or bf16 mixed precision (fp32 weights, bf16 convolutions).")]
    public Precision Precision { get; init; } = Precision.FP32;

    /// <summary>Inputs and convolution weights in the channels_last (NHWC) layout.</summary>
    [Setting("channels-last", "Inputs and convolution weights in the channels_last (NHWC) layout.")]
    public bool ChannelsLast { get; init; }

    /// <summary>Timed steps (after the warm-up).</summary>
    [Setting("steps", "Timed steps (after the warm-up).")]
    public int Steps { get; init; } = 20;

    /// <summary>Untimed steps first (kernel selection, allocator warm-up).</summary>
    [Setting("warmup", "Untimed warm-up steps (cuDNN autotuning happens here).")]
    public int Warmup { get; init; } = 5;

    /// <summary>Image side; null: 32 for CIFAR-stem models, 224 otherwise.</summary>
    [Setting("image-size", "Image side (default 32 for CIFAR-stem models, 224 otherwise).")]
    public int? ImageSize { get; init; }

    /// <summary>Classifier outputs; null: the named model's.</summary>
    [Setting("num-classes", "Classifier outputs (default: the model's).")]
    public int? NumClasses { get; init; }

    /// <summary>Fused inference zero-pads the input to this many channels (<see cref="FusedResNet"/>); 0: no padding.</summary>
    [Setting("stem-channels", "Fused inference: zero-pad the input to this many channels (e.g. 4 or 8) for the stem convolution; 0: none.")]
    public int StemChannels { get; init; }

    /// <summary>What to time.</summary>
    [Setting("mode", "train, infer, both, or data (the data loader alone: --data SPEC).")]
    public BenchMode Mode { get; init; } = BenchMode.Both;

    /// <summary>Inference engine: with onnxruntime (auto on the CPU) ONNX Runtime is timed too, beside TorchSharp.</summary>
    [Setting("engine", "What runs the forward pass: " + InferenceEngines.Forms + ". auto: torch on CUDA, ONNX Runtime on the CPU (faster there).")]
    public EngineKind Engine { get; init; } = EngineKind.Auto;

    /// <summary>Whether the training step is data-parallel over the ranks of the launcher's job (<see cref="DistributedBench"/>).</summary>
    [Setting("distributed", "Data-parallel training step on every rank of an mpirun/torchrun job (--batch-size per rank); reports compute and communication time and bytes all-reduced per step.")]
    public bool Distributed { get; init; }

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting of a training or inference benchmark.</summary>
    public BenchOptions Validate()
    {
        if (BatchSize < 1) throw new ResNetSharpException($"BenchOptions.BatchSize must be at least 1, got {BatchSize}.");
        if (Steps < 1) throw new ResNetSharpException($"BenchOptions.Steps must be at least 1, got {Steps}.");
        if (Warmup < 0) throw new ResNetSharpException($"BenchOptions.Warmup must be 0 or more, got {Warmup}.");
        if (Mode == BenchMode.Data) throw new ResNetSharpException("BenchOptions.Mode data times the data loader alone: run LoaderBenchmark with LoaderBenchOptions.");
        return this;
    }
}
