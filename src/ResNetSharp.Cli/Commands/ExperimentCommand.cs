using System.CommandLine;
using ResNetSharp.Experiments;
using ResNetSharp.Runtime;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet experiment gradflow|degradation</c>: why skip connections work, measured and plotted.</summary>
internal static class ExperimentCommand
{
    public static Command Create() => new("experiment", "Why skip connections work: gradient-flow and degradation experiments, with plots.")
    {
        GradFlow(),
    };

    private static Command GradFlow()
    {
        var models = new Option<string>("--models")
        {
            Description = "Comma-separated named models.",
            DefaultValueFactory = _ => string.Join(',', GradientFlowOptions.DefaultModels),
        };
        var norm = new Option<string>("--norm") { Description = "batch: BatchNorm layers; none: BatchNorm replaced by identity.", DefaultValueFactory = _ => "batch" };
        norm.AcceptOnlyFromAmong("batch", "none");
        var init = new Option<string>("--init") { Description = "kaiming: torchvision's Kaiming normal; default: PyTorch's layer defaults.", DefaultValueFactory = _ => "kaiming" };
        init.AcceptOnlyFromAmong("kaiming", "default");
        var batchSize = new Option<int>("--batch-size") { Description = "Images in the measured batch.", DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { Description = "Seeds the batch and the models' initialisation.", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "Directory for gradflow.png and gradflow.json.", DefaultValueFactory = _ => "runs/gradflow" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of a table." };
        var device = CliOptions.Device();
        var command = new Command("gradflow", "Gradient norm of every convolution, input to output, for plain and residual nets at initialisation.")
        {
            models, norm, init, batchSize, seed, outDir, json, device,
        };
        command.SetAction(r =>
        {
            var options = new GradientFlowOptions
            {
                Models = r.GetValue(models)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                BatchNorm = r.GetValue(norm) == "batch",
                KaimingInit = r.GetValue(init) == "kaiming",
                BatchSize = r.GetValue(batchSize),
                Seed = r.GetValue(seed),
                Device = Devices.Resolve(r.GetValue(device)!),
            };
            options.Validate();
            var dir = ExperimentFiles.EnsureDirectory(r.GetValue(outDir)!);
            bool asJson = r.GetValue(json);
            var result = GradientFlow.Run(options, name => { if (!asJson) Console.Error.WriteLine($"measuring {name} ..."); });
            var report = GradientFlowReport.ToJson(result);
            ExperimentFiles.WriteJson(Path.Combine(dir, "gradflow.json"), report);
            GradientFlowReport.SavePlot(result, Path.Combine(dir, "gradflow.png"),
                $"Gradient norms at initialisation ({(options.BatchNorm ? "batch norm" : "no batch norm")}, {(options.KaimingInit ? "Kaiming" : "PyTorch default")} init)");
            if (asJson)
            {
                Console.WriteLine(ExperimentFiles.ToText(report));
                return 0;
            }
            Console.WriteLine($"{"model",-10} {"convs",5} {"first conv",12} {"last conv",12} {"first/last",12}");
            foreach (var m in result.Models)
                Console.WriteLine($"{m.Name,-10} {m.Layers.Count,5} {m.Layers[0].GradNorm,12:G3} {m.Layers[^1].GradNorm,12:G3} {m.FirstToLastRatio,12:G3}");
            Console.WriteLine($"wrote {Path.Combine(dir, "gradflow.png")} and gradflow.json");
            return 0;
        });
        return command;
    }
}
