using ResNetSharp.IO;
using ScottPlot;

namespace ResNetSharp.Reports;

/// <summary>What the charts share: a log-scale y axis and an atomic PNG save.</summary>
internal static class Plots
{
    public const int Width = 1000, Height = 600;

    /// <summary>Y values are log10 of the data: ticks at whole powers of ten labelled 1e-3, 1e0, ..., log-spaced minor ticks.</summary>
    public static void LogScaleY(Plot plot) => LogScale(plot.Axes.Left);

    /// <summary>An axis whose values are log10 of the data, ticked as <see cref="LogScaleY"/>.</summary>
    public static void LogScale(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
    }

    /// <summary>Saves the plot as a PNG, whole or not at all.</summary>
    public static void Save(Plot plot, string path) =>
        AtomicFile.WriteVia(path, tmp => plot.SavePng(tmp, Width, Height));

    /// <summary>Saves side-by-side panels as one PNG, whole or not at all.</summary>
    public static void Save(Multiplot multiplot, string path) =>
        AtomicFile.WriteVia(path, tmp => multiplot.SavePng(tmp, Width * 3 / 2, Height));
}
