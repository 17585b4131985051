using System.CommandLine;
using System.CommandLine.Help;
using ResNetSharp.Benchmarks;
using ResNetSharp.Cli.Commands;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Sources;
using ResNetSharp.Experiments;
using ResNetSharp.Inference;
using ResNetSharp.Quantization;
using ResNetSharp.Reports;
using ResNetSharp.Settings;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

/// <summary>
/// bench, experiment, lr-find, data, report and quantize take their flags from their options types' declared settings (flag,
/// description and default from one [Setting]); the only hand-declared options are the presentation and preset flags.
/// </summary>
public class DeclaredFlagsTests
{
    /// <summary>Each command's options types, those of them whose <c>unused</c> flags it leaves out, and its hand-declared flags.</summary>
    public static TheoryData<string, Type[], Type[], string[], string[]> Commands() => new()
    {
        { "bench", [typeof(BenchOptions), typeof(LoaderBenchOptions), typeof(ModelSource), typeof(EngineSettings)], [typeof(ModelSource), typeof(EngineSettings)],
            [.. BenchCommand.UnusedSource, "engine", "fused", "precision"], ["--json"] },
        { "experiment gradflow", [typeof(GradientFlowOptions)], [], [], ["--quick", "--json", "--device"] },
        { "experiment degradation", [typeof(DegradationOptions)], [], [], ["--quick", "--json"] },
        { "lr-find", [typeof(TrainOptions), typeof(LrFindOptions)], [typeof(TrainOptions)], LrFindCommand.Unused, ["--config", "--json", "--max-pixels"] },
        { "data pack", [typeof(PackOptions)], [], [], [] },
        { "data check", [], [], [], ["--json", "--max-pixels"] },
        { "report", [typeof(ReportOptions)], [], [], [] },
        { "quantize", [typeof(QuantizeFiles), typeof(ModelSource), typeof(QuantizeOptions), typeof(LoaderSettings)], [typeof(ModelSource)], ["model-file"], [] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Flags_are_the_declared_settings(string path, Type[] types, Type[] trimmed, string[] unused, string[] cliOnly)
    {
        var command = path.Split(' ').Aggregate((Command)Program.Root(), (c, name) => c.Subcommands.Single(s => s.Name == name));
        var options = command.Options.Where(o => o is not HelpOption).ToDictionary(o => o.Name);
        var settings = types.SelectMany(t => Setting.Of(t).Where(s => !trimmed.Contains(t) || !unused.Contains(s.Flag))).ToList();
        Assert.Equal(settings.Select(s => s.Option).Concat(cliOnly).Order(), options.Keys.Order());
        foreach (var setting in settings)
        {
            var option = options[setting.Option];
            Assert.Equal(setting.Description, option.Description);
            Assert.Equal(setting.Default is { } d && Setting.Format(d) is { Length: > 0 } text ? text : null,   // an empty list shows no default
                option.HasDefaultValue && option.GetDefaultValue() is { } v ? Setting.Format(v) : null);
        }
    }

    [Theory]
    [InlineData("--epochs", "3")]
    [InlineData("--lr", "0.1")]
    [InlineData("--resume", "runs/x")]
    [InlineData("--distributed", "true")]
    public void Lr_find_rejects_the_train_flags_it_ignores(string flag, string value)
    {
        var r = CliTests.Run("lr-find", flag, value);
        Assert.Equal(2, r.Code);
        Assert.Contains($"Unrecognized command or argument '{flag}'", r.Err);
    }

    [Theory]
    [InlineData("--steps must be at least 1, got 0", "bench", "--steps", "0")]
    [InlineData("--warmup must be 0 or more, got -1", "bench", "--warmup", "-1")]
    [InlineData("unknown --mode 'eval': use train, infer, both, data.", "bench", "--mode", "eval")]
    [InlineData("--epochs must be at least 1, not 0", "bench", "--mode", "data", "--epochs", "0")]
    [InlineData("--model-file is timed by --mode infer: add it.", "bench", "--model-file", "m.onnx")]
    [InlineData("--threads must be 0 (one per core) or more, not -1.", "bench", "--mode", "infer", "--threads", "-1")]
    [InlineData("--batch-size must be at least 2 (batch norm needs a batch), got 1", "experiment", "gradflow", "--batch-size", "1")]
    [InlineData("unknown --norm 'layer': use batch, none.", "experiment", "gradflow", "--norm", "layer")]
    [InlineData("--depths takes comma-separated numbers such as 20,56, not 'x'.", "experiment", "degradation", "--depths", "20,x")]
    [InlineData("--schedule must be multistep or cosine, not onecycle.", "experiment", "degradation", "--schedule", "onecycle")]
    [InlineData("leave it out to train on --data 'cifar10:/nonexistent'", "experiment", "degradation", "--quick", "--data", "cifar10:/nonexistent")]
    [InlineData("unknown --suggest 'lowest': use valley, steep, minimum.", "lr-find", "--suggest", "lowest")]
    [InlineData("--out 'q.bin' must end in .onnx: the int8 model is an ONNX file.", "quantize", "--checkpoint", "c.safetensors", "--calibrate", "synthetic", "--out", "q.bin")]
    public void Library_errors_show_the_flags(string message, params string[] args)
    {
        var r = CliTests.Run(args);
        Assert.Equal(2, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(message, line);
    }
}
