using System.CommandLine;
using ResNetSharp.Benchmarks;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet bench --model NAME --batch-size B [--device cuda] [--precision fp32|bf16] [--channels-last] [--steps N]
/// [--mode train|infer|both] [--json]</c>; <c>--mode infer --model-file FILE.onnx</c> times an ONNX model file.: images/s of a full training step and of inference, with device memory.
/// <c>--mode data --data SPEC</c> times the data loader alone (<see cref="DataBench"/>).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model name (see `resnet models`).", DefaultValueFactory = _ => "resnet50" };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 64 };
        var device = CliOptions.Device();
        var precision = new Option<string>("--precision") { Description = "fp32, or bf16 mixed precision (fp32 weights, bf16 convolutions).", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong(Precisions.Names);
        var channelsLast = new Option<bool>("--channels-last") { Description = "Inputs and convolution weights in the channels_last (NHWC) layout." };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after the warm-up).", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up steps (cuDNN autotuning happens here).", DefaultValueFactory = _ => 5 };
        var imageSize = new Option<int?>("--image-size") { Description = "Image side (default 32 for CIFAR-stem models, 224 otherwise)." };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the model's)." };
        var stemChannels = new Option<int>("--stem-channels") { Description = "Fused inference: zero-pad the input to this many channels (e.g. 4 or 8) for the stem convolution; 0: none.", DefaultValueFactory = _ => 0 };
        var mode = new Option<string>("--mode") { Description = "train, infer, both, or data (the data loader alone: --data SPEC).", DefaultValueFactory = _ => "both" };
        mode.AcceptOnlyFromAmong("train", "infer", "both", "data");
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var distributed = new Option<bool>("--distributed") { Description = "Data-parallel training step on every rank of an mpirun/torchrun job (--batch-size per rank); reports compute and communication time and bytes all-reduced per step." };
        var engine = CliOptions.Engine();
        var command = new Command("bench", "Images/s of a training step and of inference on synthetic data, with device memory.")
        {
            model, batch, device, precision, channelsLast, steps, warmup, imageSize, numClasses, stemChannels, mode, engine, json, distributed,
        };
        var data = new DataBench(command);
        var modelFile = new Option<string?>("--model-file") { Description = "With --mode infer: time this ONNX model file (fp32 or int8, from 'resnet export' or 'resnet quantize') in ONNX Runtime on the CPU instead of --model." };
        command.Options.Add(modelFile);
        command.SetAction(result =>
        {
            if (result.GetValue(mode) == "data")
                return data.Run(result, result.GetResult(batch) is { Implicit: false } ? result.GetValue(batch) : DataBench.DefaultBatchSize,
                    result.GetValue(imageSize), result.GetValue(device)!, result.GetValue(json));
            var options = new BenchOptions
            {
                Model = result.GetValue(model)!,
                BatchSize = result.GetValue(batch),
                Device = result.GetValue(device)!,
                Precision = Precisions.Parse(result.GetValue(precision)!),
                ChannelsLast = result.GetValue(channelsLast),
                Steps = result.GetValue(steps),
                Warmup = result.GetValue(warmup),
                ImageSize = result.GetValue(imageSize),
                NumClasses = result.GetValue(numClasses),
                StemChannels = result.GetValue(stemChannels),
                Mode = Enum.Parse<BenchMode>(result.GetValue(mode)!, ignoreCase: true),
                Engine = InferenceEngines.Parse(result.GetValue(engine)!),
            };
            if (result.GetValue(modelFile) is { } file) return ModelFile(result, file, options);
            var r = result.GetValue(distributed) ? DistributedBench.Run(options) : SpeedBenchmark.Run(options);
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

    /// <summary><c>--mode infer --model-file FILE</c>: images/s of the file's ONNX Runtime session.</summary>
    private static int ModelFile(ParseResult result, string file, BenchOptions options)
    {
        if (options.Mode != BenchMode.Infer) throw new ResNetSharpException("--model-file is timed by --mode infer: add it.");
        using var predictor = new ModelSource { ModelFile = file }.Open();
        double rate = SpeedBenchmark.PredictorImagesPerSec(predictor, options);
        if (result.GetValue<bool>("--json")) CliJson.Write(result, new { ModelFile = file, predictor.ModelName, options.BatchSize, Input = predictor.Input.ToString(), options.Steps, InferImagesPerSec = rate });
        else result.InvocationConfiguration.Output.WriteLine($"{file} ({predictor.ModelName}, {predictor.Input}) B={options.BatchSize} on the CPU, {options.Steps} steps\n  infer: {rate,10:N0} img/s onnxruntime");
        return 0;
    }
}
