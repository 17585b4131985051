using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Experiments;
using ResNetSharp.Reports;
using ResNetSharp.Runtime;
using Spectre.Console;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet experiment gradflow|degradation</c>: why skip connections work, measured and plotted.</summary>
internal static class ExperimentCommand
{
    public static Command Create() => new("experiment", "Why skip connections work: gradient-flow and degradation experiments, with plots.")
    {
        GradFlow(),
        Degradation(),
    };

    private static Option<bool> Json() => new("--json") { Description = "Print the result as JSON instead of a table." };

    private static Option<bool> Quick(string what) => new("--quick") { Description = what };

    private static Command GradFlow()
    {
        var quick = Quick("Seconds on 2 CPU cores: plain20, resnet20, plain56 and resnet56 at batch 16.");
        var json = Json();
        var command = new Command("gradflow", "Gradient norm of every convolution, input to output, for plain and residual nets.");
        var settings = new SettingOptions<GradientFlowOptions>().AddTo(command);
        var device = CliOptions.Device();
        foreach (var option in new Option[] { quick, json, device }) command.Options.Add(option);
        command.SetAction(r =>
        {
            // --quick is a baseline: flags given explicitly still apply
            var options = settings.Read(r, r.GetValue(quick) ? GradientFlowOptions.Quick : new()) with { Device = Devices.Resolve(r.GetValue(device)!) };
            options.Validate();
            var dir = ExperimentFiles.EnsureDirectory(options.OutDir, $"{nameof(GradientFlowOptions)}.{nameof(GradientFlowOptions.OutDir)}");
            bool asJson = r.GetValue(json);
            var error = r.InvocationConfiguration.Error;
            var result = GradientFlow.Run(options, name => { if (!asJson) error.WriteLine($"measuring {name} ..."); });
            var report = GradientFlowReport.ToJson(result);
            ExperimentFiles.WriteJson(Path.Combine(dir, "gradflow.json"), report);
            GradientFlowReport.SavePlot(result, Path.Combine(dir, "gradflow.png"));
            if (asJson)
            {
                CliJson.Write(r, report);
                return 0;
            }
            var table = new Table().AddColumn("model").AddColumn(new TableColumn("convs").RightAligned())
                .AddColumn(new TableColumn("first conv").RightAligned()).AddColumn(new TableColumn("last conv").RightAligned())
                .AddColumn(new TableColumn("first/last").RightAligned());
            foreach (var m in result.Models)
                table.AddRow(m.Name, $"{m.Layers.Count}", $"{m.Layers[0].GradNorm:G3}", $"{m.Layers[^1].GradNorm:G3}", $"{m.FirstToLastRatio:G3}");
            Cli.Console(r).Write(table);
            r.InvocationConfiguration.Output.WriteLine($"wrote {Path.Combine(dir, "gradflow.png")} and gradflow.json");
            return 0;
        });
        return command;
    }

    private static Command Degradation()
    {
        var quick = Quick("A few minutes on 2 CPU cores: 2,500 synthetic training images at 16x16, depths 20 and 56, 5 epochs of batch 32 at lr 0.01 (cosine, warmup).");
        var json = Json();
        var command = new Command("degradation", "Train plain nets and ResNets of the same depths with identical settings; plot training and test error (He et al. 2015, Figure 6).");
        var settings = new SettingOptions<DegradationOptions>().AddTo(command);
        command.Options.Add(quick);
        command.Options.Add(json);
        command.SetAction(r =>
        {
            var options = settings.Read(r, r.GetValue(quick) ? DegradationOptions.Quick : new());   // --quick is a baseline, as for gradflow
            bool asJson = r.GetValue(json);
            var error = r.InvocationConfiguration.Error;
            var result = Experiments.Degradation.Run(options, (name, m) =>
            {
                if (!asJson) error.WriteLine($"{name} epoch {m.Epoch}: train error {100 * (1 - m.TrainAcc):F1}%, test error {100 * (1 - m.ValTop1):F1}%");
            }, CurvesPlot.DrawEachEpoch);
            var report = DegradationReport.ToJson(result);
            ExperimentFiles.WriteJson(Path.Combine(options.OutDir, "degradation.json"), report);
            DegradationReport.SavePlot(result, Path.Combine(options.OutDir, "degradation.png"));
            if (asJson)
            {
                CliJson.Write(r, report);
                return 0;
            }
            var table = new Table().AddColumn("model").AddColumn(new TableColumn("final train error").RightAligned())
                .AddColumn(new TableColumn("final test error").RightAligned());
            foreach (var run in result.Runs)
                table.AddRow(run.Name, $"{100 * run.FinalTrainError:F1}%", $"{100 * run.FinalTestError:F1}%");
            Cli.Console(r).Write(table);
            r.InvocationConfiguration.Output.WriteLine($"wrote {Path.Combine(options.OutDir, "degradation.png")} and degradation.json");
            return 0;
        });
        return command;
    }
}
