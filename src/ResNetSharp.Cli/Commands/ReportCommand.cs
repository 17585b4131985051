using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Reports;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet report RUN_DIR [--data SPEC] [--out report.html]</c>: the run's one-file HTML error-analysis report (<see cref="ReportOptions"/>).</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by 'resnet train' (its --out)." };
        var command = new Command("report", "Write a self-contained HTML report of a training run: settings, curves, per-class scores, confusion matrix, highest-loss images with Grad-CAM.") { runDir };
        var settings = new SettingOptions<ReportOptions>().AddTo(command);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            result.InvocationConfiguration.Output.WriteLine($"wrote {RunReport.Write(result.GetValue(runDir)!, options.Data, options.Out)}");
            return 0;
        });
        return command;
    }
}
