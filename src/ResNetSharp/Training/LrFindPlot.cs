using ResNetSharp.IO;
using ScottPlot;

namespace ResNetSharp.Training;

/// <summary>lr_find.png: the smoothed loss against the learning rate on a log axis, the suggestion marked.</summary>
public static class LrFindPlot
{
    public static void Save(string path, LrFindResult result)
    {
        var plot = new Plot();
        double[] xs = [.. result.Lrs.Select(Math.Log10)];
        var loss = plot.Add.Scatter(xs, result.Losses.ToArray());
        loss.MarkerSize = 0;
        loss.LegendText = "smoothed loss";
        double at = Math.Log10(result.SuggestedLr);
        var line = plot.Add.VerticalLine(at);
        line.LegendText = $"{LrFindResult.Name(result.Method)}: {result.SuggestedLr:G3}";
        line.LinePattern = LinePattern.Dashed;
        Experiments.Plots.LogScale(plot.Axes.Bottom);
        plot.Title("Learning-rate range test");
        plot.XLabel("learning rate (log scale)");
        plot.YLabel("loss");
        plot.ShowLegend();
        AtomicFile.WriteVia(path, temp => plot.SavePng(temp, 900, 550));
    }
}
