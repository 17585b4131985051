using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Models;
using ResNetSharp.Runs;
using ResNetSharp.Training;
using TorchSharp;

namespace ResNetSharp.Experiments;

/// <summary>Settings of the degradation experiment (<c>resnet experiment degradation</c>).</summary>
public sealed record DegradationOptions
{
    /// <summary>A <c>--data</c> spec (<see cref="DataSpec"/>).</summary>
    public string Data { get; init; } = DataSpec.Default;
    /// <summary>CIFAR depths 6n+2; each is trained as a plain net and as a ResNet.</summary>
    public IReadOnlyList<int> Depths { get; init; } = [20, 56];
    /// <summary>Epochs each model trains for (the paper: about 164, i.e. 64k steps at batch 128).</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Images per step (the paper: 128).</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>He et al. 2015 (section 4.2): SGD, lr 0.1, momentum 0.9, weight decay 1e-4, divided by 10 at 50% and 75% of the run, no warmup.</summary>
    public double Lr { get; init; } = 0.1;
    /// <summary>L2 weight decay (the paper: 1e-4).</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Learning-rate schedule: the paper's multistep (÷10 at 50% and 75%), or cosine decay for short runs.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.MultiStep;
    /// <summary>Linear learning-rate warmup, in epochs.</summary>
    public double WarmupEpochs { get; init; }
    /// <summary>Training augmentation (<see cref="Augmentation.Parse"/>).</summary>
    public string Augment { get; init; } = "standard";
    /// <summary>The same seed initialises, shuffles and augments every model, so plain and residual nets see the same batches.</summary>
    public int Seed { get; init; }
    /// <summary>auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Directory for the per-model training runs, <c>degradation.png</c> and <c>degradation.json</c>.</summary>
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
        if (Depths.Count == 0) throw new ResNetSharpException("no depths given: pass e.g. --depths 20,56.");
        foreach (var d in Depths) ModelZoo.Cifar(d);
        SyntheticShapes.CheckSize(SyntheticImageSize);
        if (SubsamplesSyntheticData && !Data.Trim().Equals("synthetic", StringComparison.OrdinalIgnoreCase))
            throw new ResNetSharpException($"--quick subsamples the synthetic data only; drop --quick to train on '{Data}'.");
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

/// <summary>Per-epoch errors of one trained model (fractions in [0, 1]; training error is the running error over each epoch).</summary>
public sealed record DegradationRun(string Name, int Depth, bool Residual, IReadOnlyList<double> TrainError, IReadOnlyList<double> TestError)
{
    /// <summary>The training error of the last epoch, a fraction in [0, 1].</summary>
    public double FinalTrainError => TrainError[^1];
    /// <summary>The test (validation) error after the last epoch, a fraction in [0, 1].</summary>
    public double FinalTestError => TestError[^1];
}

/// <summary>What the degradation experiment measured.</summary>
public sealed record DegradationResult(DegradationOptions Options, string DataName, IReadOnlyList<DegradationRun> Runs);

/// <summary>
/// The degradation experiment of He et al. 2015 (Figure 6): CIFAR plain nets and ResNets of the same depths, trained
/// with identical settings, data order and seeds by the <see cref="Trainer"/>; the deeper plain net ends with higher
/// training error than the shallower one, the deeper ResNet does not.
/// </summary>
public static class Degradation
{
    /// <summary>
    /// Trains plain then residual for every depth; <paramref name="epochEnd"/> hears each epoch of each model, and
    /// <paramref name="watch"/> gets each model's trainer before it runs (<c>Reports.CurvesPlot.DrawEachEpoch</c> gives
    /// every model's run directory its curves.png).
    /// </summary>
    public static DegradationResult Run(DegradationOptions options, Action<string, EpochMetrics>? epochEnd = null, Action<Trainer>? watch = null)
    {
        options.Validate();
        var outDir = ExperimentFiles.EnsureDirectory(options.OutDir);
        using var data = options.SubsamplesSyntheticData
            ? SyntheticShapes.Open(options.SyntheticTrainCount ?? SyntheticShapes.TrainCount, options.SyntheticValCount ?? SyntheticShapes.ValCount, size: options.SyntheticImageSize)
            : DataSpec.Open(options.Data);
        var runs = new List<DegradationRun>();
        foreach (var depth in options.Depths)
            foreach (var residual in new[] { false, true })
            {
                var name = $"{(residual ? "resnet" : "plain")}{depth}";
                var config = ModelZoo.Cifar(depth, residual) with { NumClasses = data.Classes.Count, InChannels = data.InputSize.Channels };
                torch.manual_seed(options.Seed);
                using var model = new ResNet(config);
                var trainer = new Trainer(options.ToTrainOptions(Path.Combine(outDir, name)), model, data);
                trainer.EpochEnd += m => epochEnd?.Invoke(name, m);
                watch?.Invoke(trainer);
                var history = trainer.Run().History;
                runs.Add(new DegradationRun(name, depth, residual,
                    history.Select(m => 1 - m.TrainAcc).ToList(), history.Select(m => 1 - m.ValTop1).ToList()));
            }
        return new DegradationResult(options, data.Name, runs);
    }
}
