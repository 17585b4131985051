using ResNetSharp.Data;
using ResNetSharp.Models;
using ResNetSharp.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class LrFinderTests
{
    private static readonly TrainOptions Options = new() { Model = "small_resnet", BatchSize = 32, Device = "cpu", Seed = 2, Augment = "none" };

    /// <summary>A model, SGD with momentum and a step over them, on the tiny synthetic data.</summary>
    private static (ResNet Model, TorchSharp.torch.optim.Optimizer Optimizer, TrainStep Step, IReadOnlyList<string> Names) Setup(TrainOptions o)
    {
        manual_seed(o.Seed);
        var model = ResNet.Create(o.Model, numClasses: 10);
        model.train();
        var optimizer = ParameterGroups.CreateOptimizer(model, o);
        return (model, optimizer, new TrainStep(model, optimizer), ParameterGroups.OrderedNames(model, o.DecayNormAndBias));
    }

    [Fact]
    public void The_sweep_is_exponential_and_the_model_optimizer_and_rng_are_restored_exactly()
    {
        using var data = TinyData.Open(320, 32);
        using var loader = data.CreateLoader(Split.Train, 16, CPU, 0, Augmentation.None);
        var (model, optimizer, step, names) = Setup(Options);
        using var _ = model;
        using var __ = optimizer;
        using var ___ = step;
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var rng = get_rng_state();
        var found = LrFinder.Run(step, model, optimizer, names, loader, new LrFindOptions { Steps = 30 });

        Assert.Equal(30, found.Lrs.Count);   // 20 batches per epoch: the sweep runs on into a second epoch
        Assert.Equal(1e-7, found.Lrs[0], 1e-20);
        double ratio = Math.Pow(1e8, 1.0 / 30);
        for (int i = 1; i < 30; i++) Assert.Equal(ratio, found.Lrs[i] / found.Lrs[i - 1], 1e-9);
        Assert.False(found.Diverged);
        Assert.InRange(found.SuggestedLr, found.Lrs[3], found.Lrs[24]);   // inside the window the rules look at
        Assert.Equal(found.Suggestions["valley"], found.SuggestedLr);

        foreach (var (name, t) in model.state_dict()) Assert.True(t.equal(before[name]).all().item<bool>(), $"{name} changed");
        Assert.Empty(OptimizerCheckpoint.Capture(optimizer, names));   // no momentum buffers: as fresh as before
        using var now = get_rng_state();
        Assert.True(now.equal(rng).all().item<bool>());
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void The_sweep_stops_when_the_smoothed_loss_exceeds_four_times_its_minimum()
    {
        using var data = TinyData.Open(320, 32);
        using var loader = data.CreateLoader(Split.Train, 16, CPU, 0, Augmentation.None);
        var (model, optimizer, step, names) = Setup(Options with { Momentum = 0.9 });
        using var _ = model;
        using var __ = optimizer;
        using var ___ = step;
        var found = LrFinder.Run(step, model, optimizer, names, loader, new LrFindOptions { Steps = 30, EndLr = 1e9 });
        Assert.True(found.Diverged);
        Assert.InRange(found.Lrs.Count, 5, 29);
        var losses = found.Losses;
        double min = losses.Take(losses.Count - 1).Min();
        Assert.True(!(losses[^1] <= 4 * min), $"last {losses[^1]}, min {min}");
        for (int i = 1; i < losses.Count - 1; i++) Assert.True(losses[i] <= 4 * losses.Take(i + 1).Min());
    }

    [Fact]
    public void Smoothing_is_bias_corrected_and_the_rules_follow_fastai()
    {
        // The valley: the longest decreasing run [3 .. 0.7] is 7 long and ends at index 6, so fastai's
        // max_start = 6 - 7 = -1, sections = 7 / 3, idx = -1 + 2 + 1 = 2.
        Assert.Equal(2, LrFinder.Valley([3, 2.9, 2.5, 2.0, 1.0, 0.8, 0.7, 2, 5]));
        // A plateau, then 5, 4.5, ..., 1.1 (a decreasing run of 10 ending at index 10), then a rise:
        // max_start = 10 - 10 = 0, sections = 10 / 3, idx = 0 + 3 + 1 = 4.
        Assert.Equal(4, LrFinder.Valley([5, 5, 4.5, 4, 3.5, 3, 2.5, 2, 1.5, 1.2, 1.1, 3, 6]));
        // Bias correction: a constant loss smooths to itself from the first step.
        Assert.Equal([2.0, 2.0, 2.0], LrFinder.Smooth([2, 2, 2], 0.98).Select(v => Math.Round(v, 12)));
        // By hand: avg1 = 0.02, avg2 = 0.98 * 0.02 + 0.02 * 3 = 0.0796; corrected 0.0796 / (1 - 0.98^2) = 2.0101...
        Assert.Equal(0.0796 / (1 - 0.98 * 0.98), LrFinder.Smooth([1, 3], 0.98)[1], 1e-12);
    }
}
