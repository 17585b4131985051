using System.Text.Json.Nodes;
using ResNetSharp.Experiments;
using ScottPlot;

namespace ResNetSharp.Reports;

/// <summary>The gradient-flow result as JSON and as a log-scale plot.</summary>
public static class GradientFlowReport
{
    /// <summary>
    /// <c>{"settings":{...},"models":[{"name","layers":[{"name","grad_norm"}],"first_to_last_ratio"}]}</c>;
    /// a ratio that is not finite (last gradient exactly 0) is null.
    /// </summary>
    public static JsonObject ToJson(GradientFlowResult result)
    {
        var o = result.Options;
        return new JsonObject
        {
            ["settings"] = new JsonObject
            {
                ["norm"] = o.BatchNorm ? "batch" : "none",
                ["init"] = o.KaimingInit ? "kaiming" : "default",
                ["batch_size"] = o.BatchSize,
                ["seed"] = o.Seed,
                ["steps"] = o.Steps,
                ["lr"] = o.Steps > 0 ? o.Lr : null,
                ["batch"] = result.Batch,
                ["loss"] = "cross-entropy, model in train mode (batch statistics)",
            },
            ["models"] = new JsonArray(result.Models.Select(m => (JsonNode)new JsonObject
            {
                ["name"] = m.Name,
                ["layers"] = new JsonArray(m.Layers.Select(l => (JsonNode)new JsonObject
                {
                    ["name"] = l.Name,
                    ["grad_norm"] = l.GradNorm,
                }).ToArray()),
                ["first_to_last_ratio"] = ExperimentFiles.Number(m.FirstToLastRatio),
            }).ToArray()),
        };
    }

    /// <summary>
    /// One line per model: log10 of each convolution's gradient norm against its depth (1 = first convolution).
    /// Zero norms cannot be drawn on a log scale; a model whose norms are all zero is named in the legend as such.
    /// </summary>
    public static void SavePlot(GradientFlowResult result, string path)
    {
        var o = result.Options;
        var when = o.Steps == 0 ? "at initialisation" : $"after {o.Steps} training steps";
        var title = $"Gradient norms {when} ({(o.BatchNorm ? "batch norm" : "no batch norm")}, {(o.KaimingInit ? "Kaiming" : "PyTorch default")} init)";
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < result.Models.Count; i++)
        {
            var m = result.Models[i];
            var points = m.Layers.Select((l, depth) => (X: depth + 1.0, Y: l.GradNorm))
                .Where(p => p.Y > 0).Select(p => (p.X, Y: Math.Log10(p.Y))).ToArray();
            int zeros = m.Layers.Count - points.Length;
            var label = zeros == 0 ? m.Name : zeros == m.Layers.Count ? $"{m.Name} (all norms 0)" : $"{m.Name} ({zeros} norms 0, not drawn)";
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), palette.GetColor(i));
            line.LegendText = label;
            line.LineWidth = 2;
            line.LinePattern = m.Name.StartsWith("plain", StringComparison.Ordinal) ? LinePattern.Dashed : LinePattern.Solid;
        }
        Plots.LogScaleY(plot);
        plot.Title(title);
        plot.XLabel("convolution, input (1) to output");
        plot.YLabel("gradient L2 norm (log scale)");
        plot.ShowLegend(Edge.Right);
        Plots.Save(plot, path);
    }
}
