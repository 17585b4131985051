using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Experiments;
using ResNetSharp.Reports;
using ResNetSharp.Runtime;
using ResNetSharp.Training;
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

    private static Option<string> OutDir(string name) => new("--out") { Description = $"Directory for {name}.png and {name}.json.", DefaultValueFactory = _ => $"runs/{name}" };

    private static Option<bool> Json() => new("--json") { Description = "Print the result as JSON instead of a table." };

    private static Option<bool> Quick(string what) => new("--quick") { Description = what };

    private static Command GradFlow()
    {
        var models = new Option<string?>("--models") { Description = $"Comma-separated named models (default {string.Join(',', GradientFlowOptions.DefaultModels)}; {string.Join(',', GradientFlowOptions.Quick.Models)} with --quick)." };
        var data = new Option<string?>("--data") { Description = $"Measure the first validation batch of this dataset ({DataSpec.Forms}); default: random N(0,1) images with random labels." };
        var norm = new Option<string>("--norm") { Description = "batch: BatchNorm layers; none: BatchNorm replaced by identity.", DefaultValueFactory = _ => "batch" };
        norm.AcceptOnlyFromAmong("batch", "none");
        var init = new Option<string>("--init") { Description = "kaiming: torchvision's Kaiming normal; default: PyTorch's layer defaults.", DefaultValueFactory = _ => "kaiming" };
        init.AcceptOnlyFromAmong("kaiming", "default");
        var batchSize = new Option<int?>("--batch-size") { Description = "Images in the measured batch (default 64; 16 with --quick)." };
        var steps = new Option<int>("--steps") { Description = "Training steps before measuring (0 = at initialisation).", DefaultValueFactory = _ => 0 };
        var lr = new Option<double>("--lr") { Description = "Learning rate of the training steps (SGD, momentum 0.9).", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seeds the batch and the models' initialisation.", DefaultValueFactory = _ => 0 };
        var quick = Quick("Seconds on 2 CPU cores: plain20, resnet20, plain56 and resnet56 at batch 16.");
        var outDir = OutDir("gradflow");
        var json = Json();
        var device = CliOptions.Device();
        var command = new Command("gradflow", "Gradient norm of every convolution, input to output, for plain and residual nets.")
        {
            models, data, norm, init, batchSize, steps, lr, seed, quick, outDir, json, device,
        };
        command.SetAction(r =>
        {
            var baseline = r.GetValue(quick) ? GradientFlowOptions.Quick : new GradientFlowOptions();
            var options = baseline with   // --quick is a baseline: flags given explicitly still apply
            {
                Models = r.GetValue(models) is { } names ? names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : baseline.Models,
                Data = r.GetValue(data),
                BatchNorm = r.GetValue(norm) == "batch",
                KaimingInit = r.GetValue(init) == "kaiming",
                BatchSize = r.GetValue(batchSize) ?? baseline.BatchSize,
                Steps = r.GetValue(steps),
                Lr = r.GetValue(lr),
                Seed = r.GetValue(seed),
                Device = Devices.Resolve(r.GetValue(device)!),
            };
            options.Validate();
            var dir = ExperimentFiles.EnsureDirectory(r.GetValue(outDir)!);
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
        var data = new Option<string>("--data") { Description = $"Dataset ({DataSpec.Forms}).", DefaultValueFactory = _ => DataSpec.Default };
        var depths = new Option<string?>("--depths") { Description = "Comma-separated CIFAR depths 6n+2; each trains as plain and residual net (default 20,56)." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs per model (default 30; 5 with --quick)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Training batch size (default 128; 32 with --quick)." };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default 0.1; 0.01 with --quick)." };
        var schedule = new Option<string?>("--schedule") { Description = "multistep (divided by 10 at 50% and 75% of the run; the default) or cosine (the --quick default)." };
        schedule.AcceptOnlyFromAmong("multistep", "cosine");
        var warmup = new Option<double?>("--warmup-epochs") { Description = "Linear warmup epochs (default 0; 0.5 with --quick)." };
        var seed = new Option<int>("--seed") { Description = "Seeds initialisation, data order and augmentation of every model.", DefaultValueFactory = _ => 0 };
        var quick = Quick("A few minutes on 2 CPU cores: 2,500 synthetic training images at 16x16, depths 20 and 56, 5 epochs of batch 32 at lr 0.01 (cosine, warmup).");
        var outDir = OutDir("degradation");
        var json = Json();
        var device = CliOptions.Device();
        var command = new Command("degradation", "Train plain nets and ResNets of the same depths with identical settings; plot training and test error (He et al. 2015, Figure 6).")
        {
            data, depths, epochs, batchSize, lr, schedule, warmup, seed, quick, outDir, json, device,
        };
        command.SetAction(r =>
        {
            var baseline = r.GetValue(quick) ? DegradationOptions.Quick : new DegradationOptions();
            var options = baseline with   // --quick is a baseline: flags given explicitly still apply
            {
                Depths = r.GetValue(depths) is { } d ? ParseDepths(d) : baseline.Depths,
                Epochs = r.GetValue(epochs) ?? baseline.Epochs,
                BatchSize = r.GetValue(batchSize) ?? baseline.BatchSize,
                Lr = r.GetValue(lr) ?? baseline.Lr,
                Schedule = r.GetValue(schedule) is { } kind ? LrSchedule.ParseKind(kind) : baseline.Schedule,
                WarmupEpochs = r.GetValue(warmup) ?? baseline.WarmupEpochs,
                Data = r.GetValue(data)!, Seed = r.GetValue(seed), Device = r.GetValue(device)!, OutDir = r.GetValue(outDir)!,
            };
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

    private static int[] ParseDepths(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(d =>
            int.TryParse(d, out var depth) ? depth : throw new ResNetSharpException($"--depths takes comma-separated numbers such as 20,56, not '{d}'."))];
}
