using ResNetSharp.IO;
using ScottPlot;

namespace ResNetSharp.Runs;

/// <summary>lr_find.png: the smoothed loss against the learning rate on a log axis, the suggestion marked.</summary>
public static class LrFindPlot
{
    /// <summary>Draws the losses against the learning rates, a dashed line at <paramref name="suggestedLr"/> labelled with <paramref name="method"/>.</summary>
    public static void Save(string path, IReadOnlyList<double> lrs, IReadOnlyList<double> losses, double suggestedLr, string method)
    {
        var plot = new Plot();
        double[] xs = [.. lrs.Select(Math.Log10)];
        var loss = plot.Add.Scatter(xs, losses.ToArray());
        loss.MarkerSize = 0;
        loss.LegendText = "smoothed loss";
        double at = Math.Log10(suggestedLr);
        var line = plot.Add.VerticalLine(at);
        line.LegendText = $"{method}: {suggestedLr:G3}";
        line.LinePattern = LinePattern.Dashed;
        Plots.LogScale(plot.Axes.Bottom);
        plot.Title("Learning-rate range test");
        plot.XLabel("learning rate (log scale)");
        plot.YLabel("loss");
        plot.ShowLegend();
        AtomicFile.WriteVia(path, temp => plot.SavePng(temp, 900, 550));
    }
}
