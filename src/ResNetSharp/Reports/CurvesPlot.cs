using ResNetSharp.IO;
using ResNetSharp.Runs;
using ResNetSharp.Training;
using ScottPlot;

namespace ResNetSharp.Reports;

/// <summary>curves.png: loss (left) and accuracy (right) against epoch, train and validation, drawn with ScottPlot.</summary>
public static class CurvesPlot
{
    /// <summary>
    /// Makes <paramref name="trainer"/> rewrite <c>curves.png</c> in its run directory after every epoch (rank 0 of a
    /// data-parallel run), from the whole history, a resumed run's earlier epochs included; the path is
    /// <see cref="TrainResult.Curves"/>. The <c>resnet train</c> command does this for every run.
    /// </summary>
    /// <param name="trainer">A trainer not yet run.</param>
    public static void DrawEachEpoch(Trainer trainer) =>
        trainer.HistoryWritten += run => Save(Path.Combine(run.Directory, RunFiles.Curves), run.Epochs);

    /// <summary>Draws the loss and accuracy of every epoch of <paramref name="history"/> and writes them as a PNG file.</summary>
    /// <param name="path">The PNG file to write (<c>curves.png</c> in a run directory).</param>
    /// <param name="history">The metrics of each epoch so far, in order.</param>
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
