using System.Text.Json.Nodes;
using ResNetSharp.Experiments;
using ScottPlot;

namespace ResNetSharp.Reports;

/// <summary>The degradation result as JSON and as He et al.'s Figure 6: plain nets left, ResNets right.</summary>
public static class DegradationReport
{
    /// <summary><c>{"settings":{...},"runs":[{"name","depth","residual","train_error":[...],"test_error":[...],"final_train_error","final_test_error"}]}</c>.</summary>
    public static JsonObject ToJson(DegradationResult result)
    {
        var o = result.Options;
        return new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["data"] = result.DataName,
                ["train_images"] = o.SyntheticTrainCount,
                ["val_images"] = o.SyntheticValCount,
                ["image_size"] = o.SubsamplesSyntheticData ? o.SyntheticImageSize : null,
                ["epochs"] = o.Epochs,
                ["batch_size"] = o.BatchSize,
                ["lr"] = o.Lr,
                ["optimizer"] = "SGD, momentum 0.9",
                ["schedule"] = o.Schedule == Training.ScheduleKind.MultiStep ? "multistep: lr divided by 10 at 50% and 75% of the run" : o.Schedule.ToString().ToLowerInvariant(),
                ["warmup_epochs"] = o.WarmupEpochs,
                ["weight_decay"] = o.WeightDecay,
                ["augment"] = o.Augment,
                ["seed"] = o.Seed,
            },
            ["runs"] = new JsonArray(result.Runs.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name,
                ["depth"] = r.Depth,
                ["residual"] = r.Residual,
                ["train_error"] = new JsonArray(r.TrainError.Select(e => (JsonNode?)e).ToArray()),
                ["test_error"] = new JsonArray(r.TestError.Select(e => (JsonNode?)e).ToArray()),
                ["final_train_error"] = r.FinalTrainError,
                ["final_test_error"] = r.FinalTestError,
            }).ToArray()),
        };
    }

    /// <summary>Two panels (plain, residual) of error (%) against epoch: training error thin, test error bold, one colour per depth.</summary>
    public static void SavePlot(DegradationResult result, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var depths = result.Runs.Select(r => r.Depth).Distinct().Order().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var residual in new[] { false, true })
        {
            var plot = multiplot.GetPlot(residual ? 1 : 0);
            foreach (var run in result.Runs.Where(r => r.Residual == residual))
            {
                var color = palette.GetColor(depths.IndexOf(run.Depth));
                AddLine(plot, run.TrainError, color, 1, $"{run.Name} train");
                AddLine(plot, run.TestError, color, 3, $"{run.Name} test");
            }
            plot.Title(residual ? "ResNets" : "plain nets");
            plot.XLabel("epoch");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.YLabel("error (%): thin = training, bold = test");
            plot.ShowLegend(Edge.Bottom);   // outside the data area: no curve is hidden
        }
        double top = result.Runs.SelectMany(r => r.TrainError.Concat(r.TestError)).Max() * 100;
        foreach (var plot in multiplot.GetPlots()) plot.Axes.SetLimitsY(0, Math.Min(100, top * 1.05));
        Plots.Save(multiplot, path);
    }

    private static void AddLine(Plot plot, IReadOnlyList<double> errors, Color color, float width, string label)
    {
        var xs = Enumerable.Range(1, errors.Count).Select(e => (double)e).ToArray();
        var line = plot.Add.ScatterLine(xs, errors.Select(e => e * 100).ToArray(), color);
        line.LineWidth = width;
        line.LegendText = label;
    }
}
