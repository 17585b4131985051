using System.CommandLine;
using ResNetSharp.Benchmarks;
using ResNetSharp.Cli.Options;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet bench --model NAME --batch-size B [--device cuda] [--precision fp32|bf16] [--channels-last] [--steps N]
/// [--mode train|infer|both] [--threads N] [--json]</c>: images/s of a full training step and of inference, with device memory;
/// <c>--mode infer --model-file FILE.onnx</c> times an ONNX model file; <c>--mode data --data SPEC</c> times the data
/// loader alone (<see cref="DataBench"/>). Its flags are <see cref="BenchOptions"/>', <see cref="LoaderBenchOptions"/>',
/// <see cref="ModelSource.ModelFile"/>, <see cref="EngineSettings.Threads"/> and <c>--json</c>.
/// </summary>
internal static class BenchCommand
{
    /// <summary><see cref="ModelSource"/>'s flags bench does not use: it times a named model, or a model file.</summary>
    public static readonly string[] UnusedSource = ["checkpoint", "model", "weights", "labels"];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("bench", "Images/s of a training step and of inference on synthetic data, with device memory.");
        var settings = new SettingOptions<BenchOptions>().AddTo(command);
        command.Options.Add(json);
        var data = new SettingOptions<LoaderBenchOptions>().AddTo(command);
        var source = new SettingOptions<ModelSource>(unused: UnusedSource).AddTo(command);
        var threads = CliOptions.Threads();
        command.Options.Add(threads);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            if (options.Mode == BenchMode.Data)
                return DataBench.Run(result, data.Read(result) with
                {
                    BatchSize = ConfigFile.Given(result, settings["batch-size"]) ? options.BatchSize : LoaderBenchOptions.DefaultBatchSize,
                    ImageSize = options.ImageSize, Device = options.Device,
                }, result.GetValue(json));
            int threadCount = CliOptions.UseThreads(result.GetValue(threads));
            if (source.Read(result) is { ModelFile: { } file } model) return ModelFile(result, model, file, options.Validate(), threadCount, result.GetValue(json));
            var r = options.Distributed ? DistributedBench.Run(options) : SpeedBenchmark.Run(options, threads: threadCount);
            if (r is null) return 0;   // ranks other than 0 print nothing
            if (result.GetValue(json))
            {
                CliJson.Write(result, r);
                return 0;
            }
            var output = result.InvocationConfiguration.Output;
            output.WriteLine($"{r.Model} B={r.BatchSize} {r.ImageSize}x{r.ImageSize} on {r.Device}, {r.Precision}{(r.ChannelsLast ? ", channels_last" : "")}, {r.Steps} steps");
            if (r.TrainImagesPerSec is { } t) output.WriteLine($"  train: {t,10:N0} img/s ({r.TrainStepMs:F1} ms/step){(r.TrainDeviceMemoryBytes is { } m ? $", device memory {m / 1048576.0:N0} MiB" : "")}");
            if (r.TrainCommMs is { } comm)
                output.WriteLine($"  {r.WorldSize} ranks: compute {r.TrainComputeMs:F1} ms + communication {comm:F1} ms per step ({comm / r.TrainStepMs:P1}), {r.TrainBytesAllReducedPerStep / 1048576.0:F2} MiB all-reduced per step per rank");
            if (r.InferImagesPerSec is { } i) output.WriteLine($"  infer: {i,10:N0} img/s fused ({(r.InferCudnnFusion == true ? "cuDNN conv+add+relu" : "conv+relu fallback")}), {r.InferUnfusedImagesPerSec:N0} img/s unfused; relative difference {r.InferFusedRelativeError:E1}");
            if (r.InferOnnxRuntimeImagesPerSec is { } ort) output.WriteLine($"  infer: {ort,10:N0} img/s onnxruntime; relative difference {r.InferOnnxRuntimeRelativeError:E1}");
            return 0;
        });
        return command;
    }

    /// <summary><c>--mode infer --model-file FILE</c>: images/s of the file's ONNX Runtime session with <paramref name="threads"/> intra-op threads.</summary>
    private static int ModelFile(ParseResult result, ModelSource model, string file, BenchOptions options, int threads, bool json)
    {
        if (options.Mode != BenchMode.Infer) throw new ResNetSharpException("--model-file is timed by --mode infer: add it.");
        using var predictor = model.Open(engine: new EngineSettings(EngineKind.Auto, Threads: threads));
        int sessionThreads = ((OnnxRuntimeEngine)predictor.Engine).Threads;   // a model file runs on ONNX Runtime only
        double rate = SpeedBenchmark.PredictorImagesPerSec(predictor, options);
        if (json) CliJson.Write(result, new { ModelFile = file, predictor.ModelName, options.BatchSize, Input = predictor.Input.ToString(), options.Steps, Threads = sessionThreads, InferImagesPerSec = rate });
        else result.InvocationConfiguration.Output.WriteLine($"{file} ({predictor.ModelName}, {predictor.Input}) B={options.BatchSize} on the CPU, {sessionThreads} threads, {options.Steps} steps\n  infer: {rate,10:N0} img/s onnxruntime");
        return 0;
    }
}
