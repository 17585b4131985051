using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Models;
using ResNetSharp.Settings;
using ResNetSharp.Training;

namespace ResNetSharp.Experiments;

/// <summary>Settings of the degradation experiment (<c>resnet experiment degradation</c>).</summary>
public sealed record DegradationOptions
{
    /// <summary>A <c>--data</c> spec (<see cref="DataSpec"/>).</summary>
    [Setting("data", "Dataset (" + DataSpec.Forms + ").")]
    public string Data { get; init; } = DataSpec.Default;

    /// <summary>CIFAR depths 6n+2; each is trained as a plain net and as a ResNet.</summary>
    [Setting("depths", "Comma-separated CIFAR depths 6n+2; each trains as plain and residual net.")]
    public IReadOnlyList<int> Depths { get; init; } = [20, 56];

    /// <summary>Epochs each model trains for (the paper: about 164, i.e. 64k steps at batch 128).</summary>
    [Setting("epochs", "Epochs per model (5 with --quick).")]
    public int Epochs { get; init; } = 30;

    /// <summary>Images per step (the paper: 128).</summary>
    [Setting("batch-size", "Training batch size (32 with --quick).")]
    public int BatchSize { get; init; } = 128;

    /// <summary>He et al. 2015 (section 4.2): SGD, lr 0.1, momentum 0.9, weight decay 1e-4, divided by 10 at 50% and 75% of the run, no warmup.</summary>
    [Setting("lr", "Peak learning rate (0.01 with --quick).")]
    public double Lr { get; init; } = 0.1;

    /// <summary>L2 weight decay (the paper: 1e-4).</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Learning-rate schedule: the paper's multistep (÷10 at 50% and 75%), or cosine decay for short runs.</summary>
    [Setting("schedule", "multistep (divided by 10 at 50% and 75% of the run) or cosine (the --quick default).")]
    public ScheduleKind Schedule { get; init; } = ScheduleKind.MultiStep;

    /// <summary>Linear learning-rate warmup, in epochs.</summary>
    [Setting("warmup-epochs", "Linear warmup epochs (0.5 with --quick).")]
    public double WarmupEpochs { get; init; }

    /// <summary>Training augmentation (<see cref="Augmentation.Parse"/>).</summary>
    public string Augment { get; init; } = "standard";

    /// <summary>The same seed initialises, shuffles and augments every model, so plain and residual nets see the same batches.</summary>
    [Setting("seed", "Seeds initialisation, data order and augmentation of every model.")]
    public int Seed { get; init; }

    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    [Setting("device", Runtime.Devices.Description)]
    public string Device { get; init; } = "auto";

    /// <summary>Directory for the per-model training runs, <c>degradation.png</c> and <c>degradation.json</c>.</summary>
    [Setting("out", "Directory for degradation.png and degradation.json.")]
    public string OutDir { get; init; } = "runs/degradation";

    /// <summary>Training images of the synthetic data; null: all of it. Only the synthetic set can be subsampled.</summary>
    public int? SyntheticTrainCount { get; init; }

    /// <summary>Validation images of the synthetic data; null: all of it.</summary>
    public int? SyntheticValCount { get; init; }

    /// <summary>Side of the synthetic images, averaged down from 32 (32, 16 or 8); 4x fewer pixels is 4x less compute.</summary>
    public int SyntheticImageSize { get; init; } = SyntheticShapes.Size;

    /// <summary>
    /// The few-minute setting on 2 CPU cores: plain/residual 20 and 56 on 2,500 synthetic training and 320 validation
    /// images averaged down to 16x16, 5 epochs of batch 32 (about 390 steps). A run this short needs a gentler start than the
    /// paper's: lr 0.01 with half an epoch of warmup and cosine decay, and flips only (no crops).
    /// </summary>
    public static DegradationOptions Quick { get; } = new()
    {
        Depths = [20, 56], Epochs = 5, BatchSize = 32, SyntheticTrainCount = 2500, SyntheticValCount = 320, SyntheticImageSize = 16,
        Lr = 0.01, Schedule = ScheduleKind.Cosine, WarmupEpochs = 0.5, Augment = "flip",
    };

    internal bool SubsamplesSyntheticData => SyntheticTrainCount is not null || SyntheticValCount is not null || SyntheticImageSize != SyntheticShapes.Size;

    /// <summary>Throws <see cref="ResNetSharpException"/> naming the bad setting and the fix.</summary>
    public void Validate()
    {
        if (Depths.Count == 0) throw new ResNetSharpException("no depths given: set DegradationOptions.Depths, e.g. 20,56.");
        foreach (var d in Depths) ModelZoo.Cifar(d);
        if (Schedule is not (ScheduleKind.MultiStep or ScheduleKind.Cosine))
            throw new ResNetSharpException($"DegradationOptions.Schedule must be multistep or cosine, not {Schedule.ToString().ToLowerInvariant()}.");
        SyntheticShapes.CheckSize(SyntheticImageSize);
        if (SubsamplesSyntheticData && !Data.Trim().Equals("synthetic", StringComparison.OrdinalIgnoreCase))
            throw new ResNetSharpException($"the quick setting subsamples the synthetic data only; leave it out to train on DegradationOptions.Data '{Data}'.");
        ToTrainOptions("check").Validate();
    }

    /// <summary>The trainer settings of one model of the experiment.</summary>
    public TrainOptions ToTrainOptions(string outDir) => new()
    {
        Data = Data, Epochs = Epochs, BatchSize = BatchSize, Lr = Lr, WeightDecay = WeightDecay, Momentum = 0.9,
        Nesterov = false, Schedule = Schedule, WarmupEpochs = WarmupEpochs, Augment = Augment, Seed = Seed,
        Device = Device, OutDir = outDir,
    };
}
