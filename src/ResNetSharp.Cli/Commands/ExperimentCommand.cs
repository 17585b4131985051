using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Experiments;
using ResNetSharp.Runtime;
using Spectre.Console;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet experiment gradflow|degradation</c>: why skip connections work, measured and plotted.</summary>
internal static class ExperimentCommand
{
    public static Command Create() => new("experiment", "Why skip connections work: gradient-flow and degradation experiments, with plots.")
    {
        GradFlow(),
    };

    private static Option<string> OutDir(string name) => new("--out") { Description = $"Directory for {name}.png and {name}.json.", DefaultValueFactory = _ => $"runs/{name}" };

    private static Option<bool> Json() => new("--json") { Description = "Print the result as JSON instead of a table." };

    private static Option<bool> Quick(string what) => new("--quick") { Description = what };

    private static Command GradFlow()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated named models.", DefaultValueFactory = _ => string.Join(',', GradientFlowOptions.DefaultModels) };
        var data = new Option<string?>("--data") { Description = $"Measure the first validation batch of this dataset ({DataSpec.Forms}); default: random N(0,1) images with random labels." };
        var norm = new Option<string>("--norm") { Description = "batch: BatchNorm layers; none: BatchNorm replaced by identity.", DefaultValueFactory = _ => "batch" };
        norm.AcceptOnlyFromAmong("batch", "none");
        var init = new Option<string>("--init") { Description = "kaiming: torchvision's Kaiming normal; default: PyTorch's layer defaults.", DefaultValueFactory = _ => "kaiming" };
        init.AcceptOnlyFromAmong("kaiming", "default");
        var batchSize = new Option<int>("--batch-size") { Description = "Images in the measured batch.", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seeds the batch and the models' initialisation.", DefaultValueFactory = _ => 0 };
        var quick = Quick("Only plain20, resnet20, plain56 and resnet56 at batch 16 (seconds on 2 CPU cores).");
        var outDir = OutDir("gradflow");
        var json = Json();
        var device = CliOptions.Device();
        var command = new Command("gradflow", "Gradient norm of every convolution, input to output, for plain and residual nets.")
        {
            models, data, norm, init, batchSize, seed, quick, outDir, json, device,
        };
        command.SetAction(r =>
        {
            bool isQuick = r.GetValue(quick);
            var options = new GradientFlowOptions
            {
                Models = isQuick ? ["plain20", "resnet20", "plain56", "resnet56"] : r.GetValue(models)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Data = r.GetValue(data),
                BatchNorm = r.GetValue(norm) == "batch",
                KaimingInit = r.GetValue(init) == "kaiming",
                BatchSize = isQuick ? 16 : r.GetValue(batchSize),
                Seed = r.GetValue(seed),
                Device = Devices.Resolve(r.GetValue(device)!),
            };
            options.Validate();
            var dir = ExperimentFiles.EnsureDirectory(r.GetValue(outDir)!);
            bool asJson = r.GetValue(json);
            var result = GradientFlow.Run(options, name => { if (!asJson) Console.Error.WriteLine($"measuring {name} ..."); });
            var report = GradientFlowReport.ToJson(result);
            ExperimentFiles.WriteJson(Path.Combine(dir, "gradflow.json"), report);
            GradientFlowReport.SavePlot(result, Path.Combine(dir, "gradflow.png"));
            if (asJson)
            {
                Console.WriteLine(ExperimentFiles.ToText(report));
                return 0;
            }
            var table = new Table().AddColumn("model").AddColumn(new TableColumn("convs").RightAligned())
                .AddColumn(new TableColumn("first conv").RightAligned()).AddColumn(new TableColumn("last conv").RightAligned())
                .AddColumn(new TableColumn("first/last").RightAligned());
            foreach (var m in result.Models)
                table.AddRow(m.Name, $"{m.Layers.Count}", $"{m.Layers[0].GradNorm:G3}", $"{m.Layers[^1].GradNorm:G3}", $"{m.FirstToLastRatio:G3}");
            AnsiConsole.Console.Write(table);
            Console.WriteLine($"wrote {Path.Combine(dir, "gradflow.png")} and gradflow.json");
            return 0;
        });
        return command;
    }
}
