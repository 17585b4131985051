using ResNetSharp.Data;
using ResNetSharp.Models;
using ResNetSharp.Settings;
using static TorchSharp.torch;

namespace ResNetSharp.Experiments;

/// <summary>The normalization layers of the gradient-flow experiment's networks (<see cref="GradientFlowOptions.Norm"/>).</summary>
public enum NormLayers
{
    /// <summary>BatchNorm layers (the networks as built).</summary>
    Batch,
    /// <summary>Every BatchNorm replaced by identity.</summary>
    None,
}

/// <summary>The weight initialisation of the gradient-flow experiment's networks (<see cref="GradientFlowOptions.Init"/>).</summary>
public enum WeightInit
{
    /// <summary>torchvision's Kaiming normal.</summary>
    Kaiming,
    /// <summary>PyTorch's layer defaults.</summary>
    Default,
}

/// <summary>Settings of the gradient-flow experiment (<c>resnet experiment gradflow</c>).</summary>
public sealed record GradientFlowOptions
{
    /// <summary>The plain/residual pairs of He et al. 2015, section 4.2.</summary>
    public static readonly IReadOnlyList<string> DefaultModels = ["plain20", "resnet20", "plain56", "resnet56", "plain110", "resnet110"];

    /// <summary>The seconds-long setting on 2 CPU cores: plain/residual 20 and 56, batch 16.</summary>
    public static GradientFlowOptions Quick { get; } = new() { Models = ["plain20", "resnet20", "plain56", "resnet56"], BatchSize = 16 };

    /// <summary>Named models (see <see cref="ModelZoo"/>), measured in this order.</summary>
    [Setting("models", "Comma-separated named models (plain20,resnet20,plain56,resnet56 with --quick).")]
    public IReadOnlyList<string> Models { get; init; } = DefaultModels;

    /// <summary>A <c>--data</c> spec (<see cref="DataSpec"/>) whose first validation batch is measured; null: random images and labels.</summary>
    [Setting("data", "Measure the first validation batch of this dataset (" + DataSpec.Forms + "); default: random N(0,1) images with random labels.")]
    public string? Data { get; init; }

    /// <summary>The networks' normalization layers (<see cref="ResNetConfig.BatchNorm"/>).</summary>
    [Setting("norm", "batch: BatchNorm layers; none: BatchNorm replaced by identity.")]
    public NormLayers Norm { get; init; } = NormLayers.Batch;

    /// <summary>Whether the networks keep their BatchNorm layers (<see cref="Norm"/> is <see cref="NormLayers.Batch"/>).</summary>
    public bool BatchNorm { get => Norm == NormLayers.Batch; init => Norm = value ? NormLayers.Batch : NormLayers.None; }

    /// <summary>The networks' initialisation (<see cref="ResNetConfig.KaimingInit"/>).</summary>
    [Setting("init", "kaiming: torchvision's Kaiming normal; default: PyTorch's layer defaults.")]
    public WeightInit Init { get; init; } = WeightInit.Kaiming;

    /// <summary>Whether the networks are initialised Kaiming normal (<see cref="Init"/> is <see cref="WeightInit.Kaiming"/>), not PyTorch's layer defaults.</summary>
    public bool KaimingInit { get => Init == WeightInit.Kaiming; init => Init = value ? WeightInit.Kaiming : WeightInit.Default; }

    /// <summary>Images in the measured batch.</summary>
    [Setting("batch-size", "Images in the measured batch (16 with --quick).")]
    public int BatchSize { get; init; } = 64;

    /// <summary>Training steps before the measurement (0: at initialisation): SGD, momentum 0.9, lr <see cref="Lr"/>, on the
    /// training split of <see cref="Data"/> (standard augmentation), or on the measured random batch itself without data.</summary>
    [Setting("steps", "Training steps before measuring (0 = at initialisation).")]
    public int Steps { get; init; }

    /// <summary>Learning rate of the training steps.</summary>
    [Setting("lr", "Learning rate of the training steps (SGD, momentum 0.9).")]
    public double Lr { get; init; } = 0.1;

    /// <summary>Seeds the batch and every model's initialisation (each model is built right after <c>manual_seed(Seed)</c>).</summary>
    [Setting("seed", "Seeds the batch and the models' initialisation.")]
    public int Seed { get; init; }

    /// <summary>Where <c>resnet experiment gradflow</c> writes gradflow.png and gradflow.json.</summary>
    [Setting("out", "Directory for gradflow.png and gradflow.json.")]
    public string OutDir { get; init; } = "runs/gradflow";

    /// <summary>Where the model runs.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>Throws <see cref="ResNetSharpException"/> naming the bad setting and the fix.</summary>
    public void Validate()
    {
        if (Models.Count == 0) throw new ResNetSharpException("no models given: set GradientFlowOptions.Models, e.g. plain20,resnet20.");
        foreach (var name in Models) ModelZoo.Config(name);
        if (BatchSize < 2) throw new ResNetSharpException($"GradientFlowOptions.BatchSize must be at least 2 (batch norm needs a batch), got {BatchSize}.");
        if (Steps < 0) throw new ResNetSharpException($"GradientFlowOptions.Steps must be 0 (at initialisation) or more, got {Steps}.");
        if (!(Lr > 0 && double.IsFinite(Lr))) throw new ResNetSharpException($"GradientFlowOptions.Lr must be a positive number, got {Lr}.");
    }
}
