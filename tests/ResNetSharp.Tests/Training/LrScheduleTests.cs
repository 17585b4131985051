using ResNetSharp.Training;

namespace ResNetSharp.Tests.Training;

/// <summary>Learning rates checked against values computed by hand from the formulas (PyTorch's OneCycleLR and CosineAnnealingLR definitions).</summary>
public class LrScheduleTests
{
    [Fact]
    public void Cosine_with_warmup()
    {
        // 10 steps/epoch, 4 epochs = 40 steps, 1 warmup epoch = 10 steps, then cosine over 30 steps.
        var s = new LrSchedule(ScheduleKind.Cosine, 0.1, 10, 4, WarmupEpochs: 1);
        Assert.Equal(0.01, s.At(0), 12);           // 0.1 * 1/10
        Assert.Equal(0.1, s.At(9), 12);            // 0.1 * 10/10
        Assert.Equal(0.1, s.At(10), 12);           // cos(0): start of the decay
        Assert.Equal(0.05, s.At(25), 12);          // halfway: 0.1 * (1 + cos(pi/2)) / 2
        Assert.Equal(0.1 * (1 + Math.Cos(Math.PI * 20 / 30)) / 2, s.At(30), 12); // = 0.025
        Assert.Equal(0.025, s.At(30), 12);
    }

    [Fact]
    public void OneCycle_matches_pytorch_formula()
    {
        // PyTorch OneCycleLR(max_lr=1, total_steps=100, pct_start=0.3): initial 1/25 = 0.04, min 0.04/1e4;
        // phase 1 ends at step 29 (0.3*100 - 1), phase 2 at step 99.
        var s = new LrSchedule(ScheduleKind.OneCycle, 1.0, 10, 10);
        Assert.Equal(0.04, s.At(0), 12);
        Assert.Equal(1.0, s.At(29), 12);
        Assert.Equal(0.295164, s.At(10), 6);       // 1 + (0.04 - 1) / 2 * (cos(pi * 10/29) + 1)
        Assert.Equal(4e-6, s.At(99), 15);          // final: 0.04 / 1e4
        Assert.Equal((1 + 4e-6) / 2, s.At(64), 12); // phase 2 midpoint: step 29 + 35
    }

    [Fact]
    public void OneCycle_warmup_epochs_set_the_rising_phase()
    {
        var s = new LrSchedule(ScheduleKind.OneCycle, 0.5, 10, 10, WarmupEpochs: 2); // pct_start 0.2: peak at step 19
        Assert.Equal(0.5, s.At(19), 12);
        Assert.True(s.At(18) < 0.5 && s.At(20) < 0.5);
    }

    [Fact]
    public void Step_and_multistep_decay_at_epoch_boundaries()
    {
        var step = new LrSchedule(ScheduleKind.Step, 0.1, 5, 9) { StepEpochs = 3, Gamma = 0.5 };
        Assert.Equal(0.1, step.At(14), 12);        // epoch 2
        Assert.Equal(0.05, step.At(15), 12);       // epoch 3
        Assert.Equal(0.025, step.At(30), 12);      // epoch 6

        var multi = new LrSchedule(ScheduleKind.MultiStep, 0.2, 4, 8, WarmupEpochs: 0.5) { Milestones = [2, 5] };
        Assert.Equal(0.1, multi.At(0), 12);        // warmup: 2 steps, 0.2 * 1/2
        Assert.Equal(0.2, multi.At(7), 12);        // epoch 1
        Assert.Equal(0.02, multi.At(8), 12);       // epoch 2
        Assert.Equal(0.002, multi.At(20), 12);     // epoch 5

        var defaults = new LrSchedule(ScheduleKind.MultiStep, 1, 1, 8);  // milestones at 50% and 75%: epochs 4 and 6
        Assert.Equal([1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01], Enumerable.Range(0, 8).Select(i => Math.Round(defaults.At(i), 12)));
    }

    [Theory]
    [InlineData("cosine", ScheduleKind.Cosine)]
    [InlineData("OneCycle", ScheduleKind.OneCycle)]
    public void Parses_names(string name, ScheduleKind kind) => Assert.Equal(kind, LrSchedule.ParseKind(name));

    [Fact]
    public void Unknown_schedule_is_a_clear_error() =>
        Assert.Contains("use step, multistep, cosine or onecycle", Assert.Throws<ResNetSharpException>(() => LrSchedule.ParseKind("linear")).Message);
}
