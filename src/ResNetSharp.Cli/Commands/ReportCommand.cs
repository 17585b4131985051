using System.CommandLine;
using ResNetSharp.Explain;
using ResNetSharp.Reports;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet report RUN_DIR [--data SPEC] [--out report.html]</c>: the run's one-file HTML error-analysis report.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by 'resnet train' (its --out)." };
        var data = new Option<string?>("--data") { Description = "Evaluate on this dataset instead of the run's own (same classes)." };
        var outPath = new Option<string?>("--out") { Description = "The HTML file to write (default RUN_DIR/report.html)." };
        var command = new Command("report", "Write a self-contained HTML report of a training run: settings, curves, per-class scores, confusion matrix, highest-loss images with Grad-CAM.") { runDir, data, outPath };
        command.SetAction(result =>
        {
            result.InvocationConfiguration.Output.WriteLine($"wrote {RunReport.Write(result.GetValue(runDir)!, result.GetValue(data), result.GetValue(outPath))}");
            return 0;
        });
        return command;
    }
}
