using ResNetSharp.IO;
using ResNetSharp.Training;
using ScottPlot;

namespace ResNetSharp.Reports;

/// <summary>lr_find.png: the smoothed loss against the learning rate on a log axis, the suggestion marked.</summary>
public static class LrFindPlot
{
    /// <summary>
    /// Writes the range test's files into <paramref name="directory"/>: lr_find.json (<see cref="LrFindResult.Save"/>)
    /// and lr_find.png (<see cref="Save(string, LrFindResult)"/>).
    /// </summary>
    public static void SaveFiles(string directory, LrFindResult result)
    {
        result.Save(directory);
        Save(Path.Combine(directory, LrFindResult.Png), result);
    }

    /// <summary>Draws the losses against the learning rates, a dashed line at the suggested rate labelled with its method, and writes the PNG file <paramref name="path"/>.</summary>
    public static void Save(string path, LrFindResult result)
    {
        var plot = new Plot();
        double[] xs = [.. result.Lrs.Select(Math.Log10)];
        var loss = plot.Add.Scatter(xs, result.Losses.ToArray());
        loss.MarkerSize = 0;
        loss.LegendText = "smoothed loss";
        var line = plot.Add.VerticalLine(Math.Log10(result.SuggestedLr));
        line.LegendText = $"{LrFindResult.Name(result.Method)}: {result.SuggestedLr:G3}";
        line.LinePattern = LinePattern.Dashed;
        Plots.LogScale(plot.Axes.Bottom);
        plot.Title("Learning-rate range test");
        plot.XLabel("learning rate (log scale)");
        plot.YLabel("loss");
        plot.ShowLegend();
        AtomicFile.WriteVia(path, temp => plot.SavePng(temp, 900, 550));
    }
}
