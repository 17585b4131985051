using System.Diagnostics;
using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Bench;

/// <summary>
/// Training images/s on Fashion-MNIST as <c>resnet train</c> runs it: resnet20 with one input channel, the in-memory
/// loader (random crop with padding 4 + horizontal flip, normalisation) and TrainStep with the multi-tensor SGD, on the
/// CPU. Usage: <c>fashion-mnist CONFIG [--steps N] [--warmup N] [--batch-size N]</c> with CONFIG fp32-nchw, fp32-cl
/// (channels_last) or bf16-cl (bf16 autocast + channels_last); data from <c>--data fashion-mnist</c> (the cache, then
/// Debian's /usr/share/datasets/fashion-mnist). Prints one JSON line; bench/fashion_mnist_speed.sh runs it side by
/// side with PyTorch.
/// </summary>
internal static class FashionMnistTrainBench
{
    public static void Run(string[] args)
    {
        string config = args.Length > 0 ? args[0] : "fp32-cl";
        var (precision, channelsLast) = config switch
        {
            "fp32-nchw" => (Precision.FP32, false),
            "fp32-cl" => (Precision.FP32, true),
            "bf16-cl" => (Precision.BF16, true),
            _ => throw new ArgumentException($"unknown config '{config}': use fp32-nchw, fp32-cl or bf16-cl."),
        };
        int steps = DataLoadingBench.Option(args, "--steps", 30), warmup = DataLoadingBench.Option(args, "--warmup", 5);
        int batchSize = DataLoadingBench.Option(args, "--batch-size", 128);
        using var data = DataSpec.Open("fashion-mnist");
        using var model = ResNet.Create("resnet20", numClasses: data.Classes.Count, inChannels: data.InputSize.Channels);
        FastPath.Prepare(model, channelsLast);
        var settings = new TrainOptions { Lr = 0.01, Momentum = 0.9, Nesterov = false, WeightDecay = 5e-5, DecayNormAndBias = true };
        using var optimizer = ParameterGroups.CreateOptimizer(model, settings);
        using var step = new TrainStep(model, optimizer)
        {
            InputTransform = FastPath.InputTransform(channelsLast),
            ForwardWrapper = FastPath.ForwardWrapper(precision),
        };
        using var loader = data.CreateLoader(Split.Train, batchSize, CPU, 0, new Augmentation(Crop: true, Flip: true, Cutout: false));
        model.train();
        var clock = new Stopwatch();
        int done = 0;
        for (int epoch = 0; done < warmup + steps; epoch++)
            foreach (var batch in loader.Epoch(epoch))
            {
                using (batch) step.Run(batch);
                if (++done == warmup) clock.Start();
                if (done == warmup + steps) break;
            }
        clock.Stop();   // CPU ops are synchronous: the last step is done
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            impl = "resnetsharp", config, batch_size = batchSize, steps, threads = get_num_threads(),
            images_per_sec = batchSize * steps / clock.Elapsed.TotalSeconds,
        }));
    }
}
