using ResNetSharp.Data;
using ResNetSharp.Runs;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>How <see cref="LrFinder"/> picks a learning rate from the sweep (fastai's suggestion functions).</summary>
public enum LrSuggestion
{
    /// <summary>fastai's default: the longest descending stretch of the loss, two thirds of the way down it.</summary>
    Valley,
    /// <summary>Where the loss falls fastest per unit of log learning rate.</summary>
    Steep,
    /// <summary>A tenth of the learning rate at the lowest loss.</summary>
    Minimum,
}

/// <summary>The range test's settings: fastai's <c>lr_find</c> defaults.</summary>
public sealed record LrFindOptions
{
    /// <summary>The learning rate of the first step.</summary>
    public double StartLr { get; init; } = 1e-7;
    /// <summary>The learning rate of the last step; the rate grows geometrically from <see cref="StartLr"/>.</summary>
    public double EndLr { get; init; } = 10;
    /// <summary>Training steps of the sweep (fewer when the loss diverges).</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Smoothing of the recorded loss (an exponential moving average, bias-corrected).</summary>
    public double Beta { get; init; } = 0.98;

    /// <summary>Stop when the smoothed loss exceeds this multiple of its minimum.</summary>
    public double DivergeFactor { get; init; } = 4;

    /// <summary>The rule whose suggestion is <see cref="LrFindResult.SuggestedLr"/>.</summary>
    [Setting("suggest", "How to pick the rate: valley (fastai's default), steep, or minimum (a tenth of the lowest loss's rate).")]
    public LrSuggestion Method { get; init; } = LrSuggestion.Valley;
}

/// <summary>The sweep: the learning rate and smoothed loss of every step, whether it stopped on divergence, and the suggestions.</summary>
public sealed record LrFindResult(IReadOnlyList<double> Lrs, IReadOnlyList<double> Losses, bool Diverged, LrSuggestion Method,
    double SuggestedLr, IReadOnlyDictionary<string, double> Suggestions)
{
    /// <summary>The file names of the sweep: as JSON (<see cref="Save"/>) and its plot (drawn by <c>Reports.LrFindPlot</c>).</summary>
    public const string Json = "lr_find.json", Png = "lr_find.png";

    /// <summary>
    /// Writes lr_find.json (suggested_lr, lrs, losses, method, diverged, suggestions) into <paramref name="directory"/>;
    /// <c>Reports.LrFindPlot.SaveFiles</c> writes it with its plot, lr_find.png.
    /// </summary>
    public void Save(string directory)
    {
        using var files = new RunFiles(directory);
        files.WriteJson(Json, this);
    }

    /// <summary>A suggestion method's name as fastai spells it (valley, steep, minimum).</summary>
    public static string Name(LrSuggestion method) => method.ToString().ToLowerInvariant();
}

/// <summary>
/// Leslie Smith's learning-rate range test as fastai's <c>lr_find</c> runs it: the learning rate rises exponentially,
/// <c>start · (end / start)^(i / steps)</c>, one training step each; the loss is smoothed with an exponential moving
/// average (beta 0.98, bias-corrected); the test stops after <see cref="LrFindOptions.Steps"/> steps or when the smoothed
/// loss exceeds 4× its minimum. The suggestions look at the sweep without its first tenth and its last five steps. The
/// model's weights and buffers, the optimizer's state and torch's random generator are restored afterwards.
/// </summary>
public static class LrFinder
{
    /// <summary>Runs the test with an existing model in training mode, its optimizer and a step over them.</summary>
    public static LrFindResult Run(TrainStep step, nn.Module model, optim.Optimizer optimizer, IReadOnlyList<string> names,
        IDataLoader loader, LrFindOptions? options = null)
    {
        var o = options ?? new LrFindOptions();
        if (!(o.StartLr > 0 && o.EndLr > o.StartLr && o.Steps >= 20))
            throw new ResNetSharpException($"the LR range test needs 0 < start ({o.StartLr}) < end ({o.EndLr}) and at least 20 steps, not {o.Steps}.");
        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var state = OptimizerCheckpoint.Capture(optimizer, names);
        var rng = get_rng_state();
        var (lrs, losses) = (new List<double>(), new List<double>());
        bool diverged = false;
        try
        {
            var raw = new List<double>();
            double best = double.PositiveInfinity;
            for (int epoch = 0; lrs.Count < o.Steps && !diverged; epoch++)
                foreach (var batch in loader.Epoch(epoch))
                {
                    using (batch)
                    {
                        double lr = o.StartLr * Math.Pow(o.EndLr / o.StartLr, (double)lrs.Count / o.Steps);
                        ParameterGroups.SetLearningRate(optimizer, lr);
                        step.Metrics.Restore(0, 0, 0);
                        step.Run(batch);
                        raw.Add(step.Metrics.Read().Loss);
                        double smooth = Smooth(raw, o.Beta)[^1];
                        lrs.Add(lr);
                        losses.Add(smooth);
                        best = Math.Min(best, smooth);
                        diverged = !(smooth <= o.DivergeFactor * best);   // NaN diverges too
                    }
                    if (diverged || lrs.Count >= o.Steps) break;
                }
        }
        finally
        {
            using (no_grad())
                foreach (var (name, t) in model.state_dict()) t.copy_(weights[name]);
            OptimizerCheckpoint.Restore(optimizer, names, state);
            set_rng_state(rng);
            foreach (var t in weights.Values.Concat(state.Values).Append(rng)) t.Dispose();
            step.Metrics.Restore(0, 0, 0);
        }
        return Suggest(lrs, losses, diverged, o);
    }

    /// <summary>
    /// Runs the test for a training configuration: the model, data, optimizer, augmentation, precision and layout
    /// <see cref="Trainer"/> would use (its seed, so the same initial weights), on the training split.
    /// </summary>
    public static LrFindResult Run(TrainOptions o, DataSource? data = null, LrFindOptions? options = null)
    {
        o.Validate();
        using var setup = TrainingSetup.Create(o, model: null, data, loadWeights: true, Devices.Resolve(o.Device));
        setup.TrainMode();
        using var step = setup.CreateStep(schedule: null);
        return Run(step, setup.Net, setup.Optimizer, setup.Names, setup.TrainLoader, options);
    }

    private static LrFindResult Suggest(List<double> lrs, List<double> losses, bool diverged, LrFindOptions o)
    {
        // fastai: lrs[num_it // 10 : -5], cut at the first NaN.
        int start = o.Steps / 10, end = losses.Count - 5;
        int nan = losses.FindIndex(start, double.IsNaN);
        if (nan >= 0) end = Math.Min(end, nan);
        if (end - start < 3)
            throw new ResNetSharpException($"the loss diverged after {losses.Count} of {o.Steps} steps, too early to suggest a learning rate: lower the start rate or check the data and model.");
        var (x, y) = (lrs[start..end], losses[start..end]);
        var suggestions = new Dictionary<string, double>
        {
            [LrFindResult.Name(LrSuggestion.Valley)] = x[Valley(y)],
            [LrFindResult.Name(LrSuggestion.Steep)] = x[Steep(x, y)],
            [LrFindResult.Name(LrSuggestion.Minimum)] = x[y.IndexOf(y.Min())] / 10,
        };
        return new LrFindResult(lrs, losses, diverged, o.Method, suggestions[LrFindResult.Name(o.Method)], suggestions);
    }

    /// <summary>fastai's AvgSmoothLoss: an exponential moving average from 0, divided by <c>1 − beta^n</c> (bias correction).</summary>
    internal static double[] Smooth(IReadOnlyList<double> losses, double beta)
    {
        var smooth = new double[losses.Count];
        double average = 0;
        for (int i = 0; i < losses.Count; i++)
        {
            average = beta * average + (1 - beta) * losses[i];
            smooth[i] = average / (1 - Math.Pow(beta, i + 1));
        }
        return smooth;
    }

    /// <summary>fastai's valley: the longest decreasing subsequence's span, then two thirds of the way along it.</summary>
    internal static int Valley(IReadOnlyList<double> losses)
    {
        int n = losses.Count, maxStart = 0, maxEnd = 0;
        var lds = Enumerable.Repeat(1, n).ToArray();
        for (int i = 1; i < n; i++)
            for (int j = 0; j < i; j++)
            {
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
                if (lds[maxEnd] < lds[i])
                {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        double sections = (maxEnd - maxStart) / 3.0;
        return maxStart + (int)sections + (int)(sections / 2);
    }

    /// <summary>fastai's steep: the most negative slope of the loss against log(lr).</summary>
    private static int Steep(IReadOnlyList<double> lrs, IReadOnlyList<double> losses)
    {
        int best = 0;
        double slope = double.PositiveInfinity;
        for (int i = 0; i + 1 < lrs.Count; i++)
        {
            double s = (losses[i + 1] - losses[i]) / (Math.Log(lrs[i + 1]) - Math.Log(lrs[i]));
            if (s < slope) (slope, best) = (s, i);
        }
        return best;
    }
}
