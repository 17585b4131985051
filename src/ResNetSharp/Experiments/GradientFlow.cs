using ResNetSharp.Data;
using ResNetSharp.Models;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Experiments;

/// <summary>One model's convolution gradient norms, input to output.</summary>
public sealed record ModelGradientFlow(string Name, IReadOnlyList<LayerGradient> Layers)
{
    /// <summary>Gradient norm of the first convolution over that of the last: above 1 means gradients grow towards the input.</summary>
    public double FirstToLastRatio => Layers[0].GradNorm / Layers[^1].GradNorm;
}

/// <summary>What the gradient-flow experiment measured, and on what batch (<see cref="Batch"/> describes it).</summary>
public sealed record GradientFlowResult(GradientFlowOptions Options, string Batch, IReadOnlyList<ModelGradientFlow> Models);

/// <summary>
/// The gradient-flow experiment: for each model, after <see cref="GradientFlowOptions.Steps"/> training steps (0: at
/// initialisation), one batch forward and backward (train mode, so batch
/// norm uses the batch's statistics, as a freshly built PyTorch model does), then the gradient norm of every convolution
/// weight in depth order. By default the batch is random N(0, 1) 32x32 RGB images with uniformly random labels of 10
/// classes (the setting of the measurements quoted in the README); with <see cref="GradientFlowOptions.Data"/> it is the
/// first (unaugmented, normalised) validation batch of that dataset. The loss is cross-entropy against the labels.
/// </summary>
public static class GradientFlow
{
    /// <summary>Images side, channels and classes of the random batch (CIFAR-sized).</summary>
    public const int ImageSize = 32, Channels = 3, Classes = 10;

    /// <summary>Runs the experiment; <paramref name="progress"/> hears each model's name before it is measured.</summary>
    public static GradientFlowResult Run(GradientFlowOptions options, Action<string>? progress = null)
    {
        options.Validate();
        using var data = options.Data is null ? null : DataSpec.Open(options.Data);
        using var scope = NewDisposeScope();
        var (images, labels) = data is null ? RandomBatch(options.BatchSize, options.Seed, options.Device) : FirstBatch(data, options);
        int classes = data?.Classes.Count ?? Classes;
        var results = new List<ModelGradientFlow>();
        foreach (var name in options.Models)
        {
            progress?.Invoke(name);
            using var model = Build(name, options, classes, (int)images.shape[1]);
            model.train();
            if (options.Steps > 0) Train(model, options, data, images, labels);
            results.Add(new ModelGradientFlow(name, GradientNorms.ConvWeights(model, images, labels)));
        }
        var batch = data is null
            ? $"{images.shape[0]} random N(0,1) {Channels}x{ImageSize}x{ImageSize} images, uniform random labels of {Classes} classes (seed {options.Seed})"
            : $"the first {images.shape[0]} validation images of '{data.Name}' ({classes} classes)";
        return new GradientFlowResult(options, batch, results);
    }

    /// <summary>The named model with the options' normalisation and initialisation, built right after <c>manual_seed(Seed)</c>.</summary>
    public static ResNet Build(string name, GradientFlowOptions options, int classes = Classes, int channels = Channels)
    {
        var config = ModelZoo.Config(name) with
        {
            BatchNorm = options.BatchNorm, KaimingInit = options.KaimingInit,
            NumClasses = classes, InChannels = channels,
        };
        torch.manual_seed(options.Seed);
        var model = new ResNet(config);
        model.to(options.Device);
        return model;
    }

    /// <summary>
    /// <see cref="GradientFlowOptions.Steps"/> steps of <see cref="TrainStep"/>: on the training split of
    /// <paramref name="data"/>, or on the random batch itself when there is no data.
    /// </summary>
    private static void Train(ResNet model, GradientFlowOptions options, DataSource? data, Tensor images, Tensor labels)
    {
        using var optimizer = new ForeachSgd([new TorchSharp.Modules.SGD.ParamGroup(model.parameters(), options.Lr, momentum: 0.9)], options.Lr, momentum: 0.9);
        using var step = new TrainStep(model, optimizer);
        if (data is null)
        {
            for (int i = 0; i < options.Steps; i++) step.Run(images, labels);
            return;
        }
        using var loader = data.CreateLoader(Split.Train, options.BatchSize, options.Device, options.Seed, Augmentation.Standard);
        for (int epoch = 0; step.Step < options.Steps; epoch++)
            foreach (var batch in loader.Epoch(epoch))
                using (batch)
                    if (step.Step < options.Steps) step.Run(batch);
    }

    /// <summary>The first validation batch of <paramref name="data"/>, unaugmented.</summary>
    private static (Tensor Images, Tensor Labels) FirstBatch(DataSource data, GradientFlowOptions options)
    {
        using var loader = data.CreateLoader(Split.Val, options.BatchSize, options.Device, options.Seed, Augmentation.None);
        using var batch = loader.Epoch(0).First();
        return (batch.Images.clone(), batch.Labels.clone());
    }

    /// <summary>A seeded batch of N(0, 1) images [n, 3, 32, 32] and uniform labels in [0, 10).</summary>
    public static (Tensor Images, Tensor Labels) RandomBatch(int n, int seed, Device device)
    {
        using var generator = new Generator((ulong)seed);
        var images = randn([n, Channels, ImageSize, ImageSize], generator: generator);
        var labels = randint(0, Classes, [n], generator: generator, dtype: int64);
        return (images.to(device), labels.to(device));
    }
}
