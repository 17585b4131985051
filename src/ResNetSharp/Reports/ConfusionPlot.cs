using ResNetSharp.Evaluation;
using ResNetSharp.IO;
using ScottPlot;

namespace ResNetSharp.Reports;

/// <summary>The confusion matrix as a PNG heat map (rows: true class, columns: predicted), drawn with ScottPlot.</summary>
public static class ConfusionPlot
{
    public static void Save(string path, EvalResult result)
    {
        int k = result.Classes.Count;
        var cells = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) cells[i, j] = result.Confusion[i][j];
        var plot = new Plot();
        var map = plot.Add.Heatmap(cells);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(map);
        double[] ticks = [.. Enumerable.Range(0, k).Select(i => (double)i)];
        string[] labels = [.. result.Classes];
        plot.Axes.Bottom.SetTicks(ticks, labels);
        plot.Axes.Left.SetTicks([.. ticks.Select(t => k - 1 - t)], labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Title($"Confusion matrix (top-1 {result.Top1:P2})");
        plot.XLabel("predicted");
        plot.YLabel("true");
        int side = Math.Clamp(60 + 40 * k, 500, 2000);
        AtomicFile.WriteVia(path, temp => plot.SavePng(temp, side + 150, side));
    }
}
