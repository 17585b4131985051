using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Models;
using ResNetSharp.Runs;
using ResNetSharp.Training;
using TorchSharp;

namespace ResNetSharp.Experiments;

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
        var outDir = ExperimentFiles.EnsureDirectory(options.OutDir, $"{nameof(DegradationOptions)}.{nameof(DegradationOptions.OutDir)}");
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
