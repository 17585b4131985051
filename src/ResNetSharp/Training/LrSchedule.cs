namespace ResNetSharp.Training;

/// <summary>The learning-rate schedules of <see cref="LrSchedule"/>.</summary>
public enum ScheduleKind
{
    /// <summary>Multiply by <see cref="LrSchedule.Gamma"/> every <see cref="LrSchedule.StepEpochs"/> epochs.</summary>
    Step,
    /// <summary>Multiply by <see cref="LrSchedule.Gamma"/> at each of <see cref="LrSchedule.Milestones"/> (epochs).</summary>
    MultiStep,
    /// <summary>Cosine decay from the base rate to 0 over the steps after warmup (Loshchilov &amp; Hutter 2017).</summary>
    Cosine,
    /// <summary>PyTorch's OneCycleLR (cosine annealing): base/25 up to base, then down to base/25/1e4 (Smith 2018).</summary>
    OneCycle,
}

/// <summary>
/// The learning rate as a pure function of the global optimizer step, so that a resumed run continues exactly from the
/// step count alone. Warmup (step, multistep, cosine): linear, <c>base * (step + 1) / warmupSteps</c> for the first
/// warmup steps. One-cycle uses the warmup as its rising phase (PyTorch's <c>pct_start</c>; 30% of the run when zero).
/// </summary>
public sealed record LrSchedule(ScheduleKind Kind, double BaseLr, int StepsPerEpoch, int Epochs, double WarmupEpochs = 0)
{
    /// <summary>Decay factor of the step and multistep schedules.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Epochs between decays of the step schedule; 0 means a third of the run (at least 1).</summary>
    public int StepEpochs { get; init; }

    /// <summary>Epochs at which the multistep schedule decays; empty means at 50% and 75% of the run.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = [];

    /// <summary>OneCycleLR's <c>div_factor</c> and <c>final_div_factor</c> (PyTorch defaults).</summary>
    public const double OneCycleDiv = 25, OneCycleFinalDiv = 1e4;

    /// <summary>Total optimizer steps of the run.</summary>
    public long TotalSteps => (long)StepsPerEpoch * Epochs;

    /// <summary>Warmup length in steps.</summary>
    public long WarmupSteps => (long)Math.Round(WarmupEpochs * StepsPerEpoch);

    /// <summary>The learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (Kind == ScheduleKind.OneCycle) return OneCycle(step);
        long warmup = WarmupSteps;
        if (step < warmup) return BaseLr * (step + 1) / warmup;
        int epoch = (int)(step / StepsPerEpoch);
        return Kind switch
        {
            ScheduleKind.Step => BaseLr * Math.Pow(Gamma, epoch / (StepEpochs > 0 ? StepEpochs : Math.Max(1, Epochs / 3))),
            ScheduleKind.MultiStep => BaseLr * Math.Pow(Gamma, EffectiveMilestones().Count(m => epoch >= m)),
            _ => Cosine(BaseLr, 0, (double)(step - warmup) / Math.Max(1, TotalSteps - warmup)),
        };
    }

    private IEnumerable<int> EffectiveMilestones() =>
        Milestones.Count > 0 ? Milestones : [Math.Max(1, Epochs / 2), Math.Max(1, Epochs * 3 / 4)];

    /// <summary>PyTorch OneCycleLR, anneal_strategy='cos', three_phase=False (torch/optim/lr_scheduler.py).</summary>
    private double OneCycle(long step)
    {
        double initial = BaseLr / OneCycleDiv, final = initial / OneCycleFinalDiv;
        double pctStart = WarmupEpochs > 0 ? WarmupEpochs / Epochs : 0.3;
        double end1 = pctStart * TotalSteps - 1, end2 = TotalSteps - 1;
        return step <= end1
            ? Cosine(initial, BaseLr, end1 > 0 ? step / end1 : 1)
            : Cosine(BaseLr, final, (step - end1) / (end2 - end1));
    }

    /// <summary>Cosine interpolation from <paramref name="start"/> (pct 0) to <paramref name="end"/> (pct 1).</summary>
    private static double Cosine(double start, double end, double pct) =>
        end + (start - end) / 2 * (Math.Cos(Math.PI * Math.Min(1, pct)) + 1);

    /// <summary>Parses a schedule name (step, multistep, cosine, onecycle).</summary>
    public static ScheduleKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "step" => ScheduleKind.Step,
        "multistep" => ScheduleKind.MultiStep,
        "cosine" => ScheduleKind.Cosine,
        "onecycle" => ScheduleKind.OneCycle,
        _ => throw new ResNetSharpException($"unknown schedule '{name}': use step, multistep, cosine or onecycle."),
    };
}
