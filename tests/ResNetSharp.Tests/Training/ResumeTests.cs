using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Runs;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Training;

public class ResumeTests
{
    private static TrainOptions Options(string dir, string optimizer, double? ema, string augment, double? dropPath = null) => new()
    {
        Model = "small_resnet", Epochs = 3, BatchSize = 32, Lr = 0.05, Device = "cpu", Seed = 3, OutDir = dir, Augment = augment, DropPath = dropPath,
        Optimizer = TrainOptions.ParseOptimizer(optimizer), Ema = ema, ClipGrad = 5, ProgressEvery = 1,
        Schedule = ScheduleKind.Cosine, WarmupEpochs = 1,
    };

    // The initial weights, made once: the global torch RNG is shared with tests running in parallel, so each run gets
    // a copy of these instead of drawing its own.
    private static readonly Dictionary<string, TorchSharp.torch.Tensor> Initial = InitialWeights();

    private static Dictionary<string, TorchSharp.torch.Tensor> InitialWeights()
    {
        using var model = ResNet.Create("small_resnet");
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private static TrainResult Train(TrainOptions options, Action<Trainer, CancellationTokenSource>? hook = null)
    {
        using var data = TinyData.Open(128, 64);
        using var cancel = new CancellationTokenSource();
        using var model = ResNet.Create("small_resnet");
        WeightLoading.LoadInto(model, Initial);
        var trainer = new Trainer(options, model, data);
        hook?.Invoke(trainer, cancel);
        return trainer.Run(cancel.Token);
    }

    [Theory]
    [InlineData("sgd", null, "flip")]
    [InlineData("adamw", null, "flip")]
    [InlineData("sgd", 0.9, "flip")]
    [InlineData("adamw", 0.9, "flip")]
    [InlineData("sgd", null, "crop,flip,mixup,cutmix")]
    [InlineData("sgd", null, "flip", 0.3)]
    public void Interrupted_and_resumed_equals_straight(string optimizer, double? ema, string augment, double? dropPath = null)
    {
        using var straightDir = new TempDir();
        using var resumedDir = new TempDir();
        var straight = Train(Options(straightDir.Path, optimizer, ema, augment, dropPath));

        // Stop in the middle of epoch 2 (after its 2nd of 4 steps), as Ctrl-C would, then resume from the directory.
        var stopped = Train(Options(resumedDir.Path, optimizer, ema, augment, dropPath), (trainer, cancel) =>
            trainer.Progress += p => { if (p.Epoch == 2 && p.Step == 2) cancel.Cancel(); });
        Assert.True(stopped.Interrupted);
        Assert.Single(stopped.History);
        var resumed = Train(new TrainOptions { Resume = resumedDir.Path, Device = "cpu" });
        Assert.False(resumed.Interrupted);

        Assert.Equal(straight.History.Count, resumed.History.Count);
        for (int i = 0; i < straight.History.Count; i++)
        {
            Console.Error.WriteLine($"DEBUG {dropPath} {straight.History[i].TrainLoss} {resumed.History[i].TrainLoss}");
            Assert.True(Math.Abs(straight.History[i].TrainLoss - resumed.History[i].TrainLoss) < 1e-5, $"epoch {i + 1}: train loss {straight.History[i].TrainLoss} straight, {resumed.History[i].TrainLoss} resumed");
            Assert.Equal(straight.History[i].ValLoss, resumed.History[i].ValLoss, 1e-5);
            Assert.Equal(straight.History[i].Lr, resumed.History[i].Lr, 1e-12);
        }
        foreach (var file in new[] { RunFiles.Last, RunFiles.Best })
        {
            using var a = SafeTensors.Load(Path.Combine(straightDir.Path, file));
            using var b = SafeTensors.Load(Path.Combine(resumedDir.Path, file));
            foreach (var (key, t) in a.Tensors)
                Assert.True(t.to(TorchSharp.torch.float64).allclose(b.Tensors[key].to(TorchSharp.torch.float64), rtol: 0, atol: 1e-5), $"{file}: {key} differs");
        }
        Assert.Equal(3, File.ReadAllLines(Path.Combine(resumedDir.Path, RunFiles.MetricsJsonl)).Length);
    }

    [Fact]
    public void Drop_path_changes_training_and_is_saved_with_the_run()
    {
        using var withDir = new TempDir();
        using var withoutDir = new TempDir();
        var with = Train(Options(withDir.Path, "sgd", null, "flip", 0.3) with { Epochs = 1, WarmupEpochs = 0 });
        var without = Train(Options(withoutDir.Path, "sgd", null, "flip") with { Epochs = 1, WarmupEpochs = 0 });
        Assert.NotEqual(without.History[0].TrainLoss, with.History[0].TrainLoss, 1e-4);
        var (model, info) = Checkpoint.Load(Path.Combine(withDir.Path, RunFiles.Last));
        using var _ = model;
        Assert.Equal(0.3, info.Config.DropPathRate);
    }

    [Fact]
    public void Resume_without_a_saved_state_is_a_clear_error()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ResNetSharpException>(() => new Trainer(new TrainOptions { Resume = dir.Path }).Run());
        Assert.Contains("last.state.json", e.Message);
    }

    [Theory]
    [InlineData(0, 128, 0.1, 0.9, "TrainOptions.Epochs must be at least 1")]
    [InlineData(1, 0, 0.1, 0.9, "TrainOptions.BatchSize must be at least 1")]
    [InlineData(1, 8, 0.0, 0.9, "TrainOptions.Lr must be a positive number")]
    [InlineData(1, 8, 0.1, 1.0, "TrainOptions.Momentum must be in [0, 1)")]
    public void Out_of_range_options_are_one_clear_error(int epochs, int batch, double lr, double momentum, string message) =>
        Assert.Contains(message, Assert.Throws<ResNetSharpException>(() =>
            new TrainOptions { Epochs = epochs, BatchSize = batch, Lr = lr, Momentum = momentum }.Validate()).Message);
}
