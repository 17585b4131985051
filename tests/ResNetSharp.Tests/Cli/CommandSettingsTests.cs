using System.CommandLine.Help;
using ResNetSharp.Cli.Options;
using ResNetSharp.Evaluation;
using ResNetSharp.Explain;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Settings;

namespace ResNetSharp.Tests.Cli;

/// <summary>eval, predict, explain, export and summary take exactly their options types' declared settings as flags.</summary>
public class CommandSettingsTests
{
    public static TheoryData<string, string[], string[]> Commands => new()
    {
        { "eval", [nameof(EvalOptions)], [] },
        { "predict", [nameof(PredictOptions)], ["precision", "channels-last"] },
        { "explain", [nameof(ExplainOptions), nameof(EngineSettings)], ["model-file", "batch-size", "channels-last", "engine", "fused", "precision"] },
        { "export", [nameof(ExportOptions), nameof(ModelSource)], ["model-file"] },
        { "summary", [nameof(SummaryOptions), nameof(InferenceSettings)], ["batch-size", "channels-last", "max-pixels"] },
    };

    private static readonly Dictionary<string, Type> Types = new[]
    {
        typeof(EvalOptions), typeof(PredictOptions), typeof(ExplainOptions), typeof(ExportOptions), typeof(ModelSource), typeof(SummaryOptions), typeof(InferenceSettings),
        typeof(EngineSettings),
    }.ToDictionary(t => t.Name);

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_commands_flags_are_its_declared_settings_less_those_it_does_not_use(string name, string[] types, string[] unused)
    {
        var settings = types.SelectMany(t => Setting.Of(Types[t])).ToList();
        Assert.Empty(unused.Except(settings.Select(s => s.Flag)));   // each left-out flag is a real setting
        var declared = settings.Where(s => !unused.Contains(s.Flag)).ToList();
        var options = Program.Root().Subcommands.Single(c => c.Name == name).Options.Where(o => o is not HelpOption).ToList();

        Assert.Equal(declared.Select(s => s.Option).Order(), options.Select(o => o.Name).Order());
        foreach (var setting in declared)
        {
            var option = options.Single(o => o.Name == setting.Option);
            Assert.Equal(setting.Description, option.Description);   // built from the declaration, not by hand
            Assert.Equal(setting.Required, option.Required);
        }
    }

    [Fact]
    public void Shared_settings_are_declared_once_and_take_each_commands_default()
    {
        Assert.Equal(256, Setting.Of<EvalOptions>().Single(s => s.Flag == "batch-size").Default);
        Assert.Equal(32, Setting.Of<PredictOptions>().Single(s => s.Flag == "batch-size").Default);
        Assert.Equal(EngineKind.Auto, Setting.Of<EvalOptions>().Single(s => s.Flag == "engine").Default);
        Assert.True((bool)Setting.Of<ExportOptions>().Single(s => s.Flag == "dynamic-batch").Default!);
        Assert.False(new OnnxExportOptions().DynamicBatch);   // the library's own default is unchanged
        Assert.Equal(EngineKind.Torch, new EngineSettings().Kind);
    }

    public static TheoryData<Action, string, string, string[]> Errors => new()
    {
        {
            () => new ExplainOptions { Alpha = 2 }.Validate(),
            "ExplainOptions.Alpha must be in [0, 1], not 2.", "--alpha must be in [0, 1], not 2.",
            ["explain", "--checkpoint", "c.safetensors", "--alpha", "2", "x.png"]
        },
        {
            () => new ExplainOptions { Class = "cat", TopK = 2 }.Validate(),
            "give ExplainOptions.Class or ExplainOptions.TopK, not both.", "give --class or --topk, not both.",
            ["explain", "--checkpoint", "c.safetensors", "--class", "cat", "--topk", "2", "x.png"]
        },
        {
            () => new PredictOptions { Source = new() { Checkpoint = "c.safetensors" }, Run = new() { BatchSize = 0 } }.Validate(),
            "InferenceSettings.BatchSize must be at least 1, not 0.", "--batch-size must be at least 1, not 0.",
            ["predict", "--checkpoint", "c.safetensors", "--batch-size", "0", "x.png"]
        },
        {
            () => new PredictOptions { TopK = 0 }.Validate(),
            "PredictOptions.TopK must be at least 1, not 0.", "--topk must be at least 1, not 0.",
            ["predict", "--checkpoint", "c.safetensors", "--topk", "0", "x.png"]
        },
        {
            () => new EvalOptions { Source = new() { Checkpoint = "c.safetensors" }, Engine = new(EngineKind.OnnxRuntime, Fused: true) }.Validate(),
            "EngineSettings.Fused is TorchSharp's fast path: use it with EngineSettings.Kind torch (or auto), not onnxruntime.",
            "--fused is TorchSharp's fast path: use it with --engine torch (or auto), not onnxruntime.",
            ["eval", "--checkpoint", "c.safetensors", "--engine", "onnxruntime", "--fused"]
        },
        {
            () => new EvalOptions { Source = new() { Checkpoint = "c.safetensors" }, Engine = new(EngineKind.OnnxRuntime, Precision: ResNetSharp.Runtime.Precision.BF16) }.Validate(),
            "EngineSettings.Precision bf16 is for the torch engine: use EngineSettings.Kind torch with a checkpoint or weights, or fp32 with onnxruntime.",
            "--precision bf16 is for the torch engine: use --engine torch with a checkpoint or weights, or fp32 with onnxruntime.",
            ["eval", "--checkpoint", "c.safetensors", "--engine", "onnxruntime", "--precision", "bf16"]
        },
        {
            () => new PredictOptions { Source = new() { Checkpoint = "c.safetensors" }, Engine = new(EngineKind.Auto, Threads: -1) }.Validate(),
            "EngineSettings.Threads must be 0 (one per core) or more, not -1.", "--threads must be 0 (one per core) or more, not -1.",
            ["predict", "--checkpoint", "c.safetensors", "--threads", "-1", "x.png"]
        },
        {
            () => new EvalOptions { Source = new() { Checkpoint = "c.safetensors" }, Engine = new(EngineKind.Auto, Threads: -2) }.Validate(),
            "EngineSettings.Threads must be 0 (one per core) or more, not -2.", "--threads must be 0 (one per core) or more, not -2.",
            ["eval", "--checkpoint", "c.safetensors", "--threads", "-2"]
        },
        {
            () => new EvalOptions { Run = new() { MaxPixels = 0 } }.Validate(),
            "InferenceSettings.MaxPixels must be at least 1, not 0.", "--max-pixels must be at least 1, not 0.",
            ["eval", "--checkpoint", "c.safetensors", "--max-pixels", "0"]
        },
        {
            () => new SummaryOptions().Validate(),
            "SummaryOptions.Model is required: a named model (see 'resnet models').", "Option '--model' is required",
            ["summary"]
        },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Library_errors_name_the_property_and_the_cli_the_flag(Action validate, string library, string cli, string[] args)
    {
        Assert.Equal(library, Assert.Throws<ResNetSharpException>(validate).Message);
        var r = CliTests.Run(args);
        Assert.Equal(2, r.Code);
        Assert.Contains("error: " + cli, r.Err);
    }

    [Theory]
    [InlineData("unknown Grad-CAM method 'cam': use gradcam or gradcam++.", "explain", "--checkpoint", "c.safetensors", "--method", "cam", "x.png")]
    [InlineData("--threads must be 0 (one per core) or more, not -1.", "explain", "--checkpoint", "c.safetensors", "--threads", "-1", "x.png")]
    [InlineData("Unrecognized command or argument '--engine'", "explain", "--checkpoint", "c.safetensors", "--engine", "torch", "x.png")]
    [InlineData("unknown engine 'tensorrt': use auto, torch or onnxruntime.", "predict", "--checkpoint", "c.safetensors", "--engine", "tensorrt", "x.png")]
    [InlineData("unknown export format 'tflite': use onnx, safetensors or pth.", "export", "--checkpoint", "c.safetensors", "--format", "tflite", "--out", "x")]
    [InlineData("Option '--out' is required", "export", "--checkpoint", "c.safetensors")]
    [InlineData("Unrecognized command or argument '--precision'", "predict", "--checkpoint", "c.safetensors", "--precision", "bf16", "x.png")]
    [InlineData("Unrecognized command or argument '--model-file'", "explain", "--model-file", "m.onnx", "x.png")]
    [InlineData("Unrecognized command or argument '--max-pixels'", "summary", "--model", "resnet20", "--max-pixels", "5")]
    [InlineData("Unrecognized command or argument '--bogus'; see 'resnet predict --help'", "predict", "--checkpoint", "c.safetensors", "x.png", "--bogus")]
    public void Bad_values_and_unused_flags_are_one_clear_error(string message, params string[] args)
    {
        var r = CliTests.Run(args);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }
}
