using System.Diagnostics;
using ResNetSharp.Distributed;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Benchmarks;

/// <summary>Images per second (null where not measured) and device memory, as <c>resnet bench --json</c> prints them.</summary>
public sealed record BenchResult
{
    /// <summary>The model benchmarked.</summary>
    public required string Model { get; init; }

    /// <summary>Images per batch (per rank when data-parallel).</summary>
    public required int BatchSize { get; init; }

    /// <summary>The input side.</summary>
    public required int ImageSize { get; init; }

    /// <summary>The device.</summary>
    public required string Device { get; init; }

    /// <summary>The precision ("fp32", "bf16", "fp16").</summary>
    public required string Precision { get; init; }

    /// <summary>Whether the channels_last layout was used.</summary>
    public required bool ChannelsLast { get; init; }

    /// <summary>Whether cuDNN's autotuner was on.</summary>
    public required bool CudnnBenchmark { get; init; }

    /// <summary>Timed steps.</summary>
    public required int Steps { get; init; }

    /// <summary>Training images per second.</summary>
    public required double? TrainImagesPerSec { get; init; }

    /// <summary>Milliseconds per training step.</summary>
    public required double? TrainStepMs { get; init; }

    /// <summary>Peak device memory of training.</summary>
    public required long? TrainDeviceMemoryBytes { get; init; }

    /// <summary>Inference images per second on the fused fast path.</summary>
    public required double? InferImagesPerSec { get; init; }

    /// <summary>Inference images per second of the plain eval-mode model.</summary>
    public required double? InferUnfusedImagesPerSec { get; init; }

    /// <summary>Whether cuDNN's fused convolutions ran.</summary>
    public required bool? InferCudnnFusion { get; init; }

    /// <summary>The fused path's relative difference from the plain model.</summary>
    public required double? InferFusedRelativeError { get; init; }

    /// <summary>The stem's input channels.</summary>
    public required int InferStemChannels { get; init; }

    /// <summary>ONNX Runtime inference images per second.</summary>
    public double? InferOnnxRuntimeImagesPerSec { get; init; } = null;

    /// <summary>ONNX Runtime's relative difference from the eager model.</summary>
    public double? InferOnnxRuntimeRelativeError { get; init; } = null;


    /// <summary>Ranks of a data-parallel benchmark (1 without); images/s are then over all ranks, the batch size per rank.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>Data-parallel: milliseconds per training step spent in collectives (gradient all-reduce, buffer broadcast).</summary>
    public double? TrainCommMs { get; init; }

    /// <summary>Data-parallel: milliseconds per training step of computation (the step time less <see cref="TrainCommMs"/>).</summary>
    public double? TrainComputeMs => TrainStepMs - TrainCommMs;

    /// <summary>Data-parallel: bytes each rank all-reduces per training step.</summary>
    public long? TrainBytesAllReducedPerStep { get; init; }
}

/// <summary>
/// Times a full training step (<see cref="TrainStep"/>: forward, loss, backward, <see cref="ForeachSgd"/> step) and inference on synthetic data that lives on the
/// device (made in the benchmarked layout before timing, as the PyTorch reference's), after warm-up, synchronising the device before reading the clock. No host-device synchronisation happens
/// inside the timed steps (the loss is accumulated on the device). Inference is timed for the fused fast path
/// (<see cref="FusedResNet"/>) and for the plain eval-mode model.
/// </summary>
public static class SpeedBenchmark
{
    /// <summary>
    /// Runs the benchmark; with a <paramref name="group"/> the training step is data-parallel (every rank runs this,
    /// with gradients averaged over the ranks as in <c>resnet train --distributed</c>) and its communication is timed.
    /// ONNX Runtime (<see cref="BenchOptions.Engine"/>) runs with <paramref name="threads"/> intra-op threads
    /// (<see cref="EngineSettings.Threads"/>; 0: one per core).
    /// </summary>
    public static BenchResult Run(BenchOptions o, ProcessGroup? group = null, int threads = 0)
    {
        o.Validate();
        var device = Devices.Resolve(o.Device);
        var config = ModelZoo.Config(o.Model);
        config = config with { NumClasses = o.NumClasses ?? config.NumClasses };
        if (o.StemChannels != 0 && o.StemChannels < config.InChannels)
            throw new ResNetSharpException($"BenchOptions.StemChannels must be 0 (no padding) or at least the model's {config.InChannels} input channels, not {o.StemChannels}.");
        int size = o.ImageSize ?? (config.Stem == StemKind.Cifar ? 32 : 224);
        bool cuda = device.type == DeviceType.CUDA;

        using var model = new ResNet(config).to(device);
        FastPath.Prepare(model, o.ChannelsLast);   // channels_last weights, cuDNN benchmark (static shapes)
        // The batch is made in the benchmarked layout before timing, as the PyTorch reference makes its input.
        using var nchw = randn(o.BatchSize, config.InChannels, size, size, device: device);
        using var x = o.ChannelsLast ? ChannelsLast.Convert(nchw) : nchw.alias();
        using var y = randint(0, config.NumClasses, [o.BatchSize], device: device);

        double? trainRate = null, stepMs = null, inferRate = null, unfusedRate = null, ortRate = null, ortError = null;
        long? memory = null, bytesPerStep = null;
        double? commMs = null;
        bool? fusion = null;
        double? fusedError = null;
        if (o.Mode != BenchMode.Infer)
        {
            // The training step of `resnet train`: TrainStep with the multi-tensor SGD (one parameter group, weight decay
            // on every parameter, as the PyTorch reference's torch.optim.SGD), metrics accumulated on the device.
            var settings = new TrainOptions { Lr = 0.01, Momentum = 0.9, Nesterov = false, WeightDecay = 5e-5, DecayNormAndBias = true };
            using var optimizer = ParameterGroups.CreateOptimizer(model, settings);
            using var step = new TrainStep(model, optimizer)
            {
                InputTransform = FastPath.InputTransform(o.ChannelsLast),
                ForwardWrapper = FastPath.ForwardWrapper(o.Precision),
            };
            var parallel = group is null ? null : new DataParallel(model, group);
            parallel?.BroadcastState();
            step.BeforeForward = parallel is null ? null : parallel.SyncBuffers;
            step.AfterBackward = parallel is null ? null : parallel.AllReduceGradients;
            model.train();
            (TimeSpan Comm, long Bytes) start = default;
            double seconds = Time(o, device, () => step.Run(x, y), () => start = (group?.CommunicationTime ?? default, group?.BytesAllReduced ?? 0));
            if (group is not null)
            {
                commMs = (group.CommunicationTime - start.Comm).TotalMilliseconds / o.Steps;
                bytesPerStep = (group.BytesAllReduced - start.Bytes) / o.Steps;
            }
            trainRate = o.BatchSize * (group?.WorldSize ?? 1) * o.Steps / seconds;
            stepMs = seconds * 1000 / o.Steps;
            if (cuda) memory = DeviceMemory.UsedBytes();
        }
        if (o.Mode != BenchMode.Train)
        {
            model.eval();
            using var fused = new FusedResNet(model, o.Precision, o.ChannelsLast, o.StemChannels);
            fusion = fused.UsesCudnnFusion;
            fusedError = RelativeError(fused, model, x, o);
            inferRate = o.BatchSize * o.Steps / Time(o, device, () => { using var s = NewDisposeScope(); fused.call(x); });
            unfusedRate = o.BatchSize * o.Steps / Time(o, device, () =>
            {
                using var s = NewDisposeScope();
                using var _ = no_grad();
                using var autocast = Autocast.Enter(o.Precision);
                model.call(x);
            });
            if (o.Engine == EngineKind.OnnxRuntime && o.Precision != Precision.FP32)
                throw new ResNetSharpException($"ONNX Runtime runs the exported model in fp32, not {o.Precision.Name()}: use BenchOptions.Precision fp32 with BenchOptions.Engine onnxruntime.");
            if (InferenceEngines.Resolve(o.Engine, device) == EngineKind.OnnxRuntime && o.Precision == Precision.FP32)
                (ortRate, ortError) = TimeOnnxRuntime(model, nchw, o, threads);
        }
        return new BenchResult
        {
            Model = o.Model, BatchSize = o.BatchSize, ImageSize = size, Device = device.ToString(), Precision = o.Precision.Name(),
            ChannelsLast = o.ChannelsLast, CudnnBenchmark = CuDnn.Benchmark, Steps = o.Steps,
            TrainImagesPerSec = trainRate, TrainStepMs = stepMs, TrainDeviceMemoryBytes = memory,
            InferImagesPerSec = inferRate, InferUnfusedImagesPerSec = unfusedRate, InferCudnnFusion = fusion,
            InferFusedRelativeError = fusedError, InferStemChannels = o.StemChannels,
            InferOnnxRuntimeImagesPerSec = ortRate, InferOnnxRuntimeRelativeError = ortError,
            WorldSize = group?.WorldSize ?? 1, TrainCommMs = commMs, TrainBytesAllReducedPerStep = bytesPerStep,
        };
    }

    /// <summary>Images/s of <see cref="OnnxRuntimeEngine"/> on the same batch (NCHW, on the host), and its relative difference from the eager model.</summary>
    private static (double Rate, double Error) TimeOnnxRuntime(ResNet model, Tensor nchw, BenchOptions o, int threads)
    {
        using var engine = InferenceEngines.Create(model, EngineKind.OnnxRuntime, nchw.device, threads: threads);
        var input = nchw.contiguous().data<float>().ToArray();
        double rate = o.BatchSize * o.Steps / Time(o, nchw.device, () => engine.Logits(input, nchw.shape));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var reference = model.call(nchw).to(ScalarType.Float32);
        var logits = tensor(engine.Logits(input, nchw.shape), reference.shape);
        return (rate, logits.sub(reference).norm().div(reference.norm()).item<float>());
    }

    /// <summary>‖fused − unfused‖ / ‖unfused‖ of the outputs for one batch (the unfused model in eval mode, same precision).</summary>
    private static double RelativeError(FusedResNet fused, ResNet model, Tensor x, BenchOptions o)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var autocast = Autocast.Enter(o.Precision);
        var reference = model.call(x).to(ScalarType.Float32);
        return fused.call(x).sub(reference).norm().div(reference.norm()).item<float>();
    }

    /// <summary>
    /// Images/s of <paramref name="predictor"/>'s engine (e.g. an int8 ONNX model file's) on batches of
    /// <see cref="BenchOptions.BatchSize"/> random preprocessed images at its input size, on the CPU.
    /// </summary>
    public static double PredictorImagesPerSec(Predictor predictor, BenchOptions o)
    {
        var random = new Random(0);
        var input = new float[o.BatchSize * predictor.ImageSize];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        return o.Steps * o.BatchSize / Time(o, CPU, () => predictor.Logits(input, o.BatchSize));
    }

    /// <summary>Seconds for <c>Steps</c> calls of <paramref name="step"/>, after <c>Warmup</c> calls, device synchronised; <paramref name="timed"/> runs when the clock starts.</summary>
    private static double Time(BenchOptions o, Device device, Action step, Action? timed = null)
    {
        for (int i = 0; i < o.Warmup; i++) step();
        Synchronize(device);
        timed?.Invoke();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < o.Steps; i++) step();
        Synchronize(device);
        return clock.Elapsed.TotalSeconds;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}
