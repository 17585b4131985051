using ResNetSharp.IO;
using ScottPlot;

namespace ResNetSharp.Runs;

/// <summary>curves.png: loss (left) and accuracy (right) against epoch, train and validation, drawn with ScottPlot.</summary>
public static class CurvesPlot
{
    public static void Save(string path, IReadOnlyList<EpochMetrics> history)
    {
        double[] epochs = [.. history.Select(m => (double)m.Epoch)];
        var multi = new Multiplot();
        multi.AddPlots(2);
        var loss = multi.GetPlot(0);
        Line(loss, epochs, history.Select(m => m.TrainLoss), "train");
        Line(loss, epochs, history.Select(m => m.ValLoss), "val");
        Labels(loss, "Loss");
        var acc = multi.GetPlot(1);
        Line(acc, epochs, history.Select(m => m.TrainAcc), "train");
        Line(acc, epochs, history.Select(m => m.ValTop1), "val top-1");
        Line(acc, epochs, history.Select(m => m.ValTop5), "val top-5");
        Labels(acc, "Accuracy");
        multi.Layout = new ScottPlot.MultiplotLayouts.Columns();
        AtomicFile.WriteVia(path, temp => multi.SavePng(temp, 1200, 450));
    }

    private static void Line(Plot plot, double[] xs, IEnumerable<double> ys, string label)
    {
        var s = plot.Add.Scatter(xs, ys.ToArray());
        s.LegendText = label;
    }

    private static void Labels(Plot plot, string title)
    {
        plot.Title(title);
        plot.XLabel("epoch");
        plot.ShowLegend();
    }
}
