using System.Text.Json;
using ResNetSharp.Cli;
using ResNetSharp.Models;

namespace ResNetSharp.Tests.Cli;

public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ResNetSharp.Cli.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void AssertOneLineError((int Code, string Out, string Err) r, string expected)
    {
        Assert.Equal(2, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", r.Err);
    }

    // Bad input to train, eval and predict is rejected before any work is done.
    [Theory]
    [InlineData("--lr must be a positive number", "train", "--lr", "0")]
    [InlineData("--epochs must be at least 1", "train", "--epochs", "0")]
    [InlineData("--momentum must be in [0, 1)", "train", "--momentum", "1.5")]
    [InlineData("unknown optimizer 'adam'", "train", "--optimizer", "adam")]
    [InlineData("unknown schedule 'linear'", "train", "--schedule", "linear")]
    [InlineData("--drop-path must be a rate in [0, 1)", "train", "--drop-path", "1")]
    [InlineData("a plain net has none", "train", "--model", "plain20", "--drop-path", "0.1")]
    [InlineData("checkpoint not found", "eval", "--checkpoint", "/nonexistent/best.safetensors")]
    [InlineData("give either --checkpoint FILE, or --model NAME with --weights W [--labels FILE], or --model-file FILE.onnx.", "predict", "x.png")]
    [InlineData("give either --checkpoint FILE, or --model NAME with --weights W [--labels FILE], or --model-file FILE.onnx.", "eval", "--checkpoint", "c.safetensors", "--model-file", "m.onnx")]
    [InlineData("give either --checkpoint FILE, or --model NAME with --weights W [--labels FILE], or --model-file FILE.onnx.", "quantize", "--model", "resnet18", "--calibrate", "synthetic", "--out", "q.onnx")]
    [InlineData("--model-file runs on ONNX Runtime only", "predict", "--model-file", "m.onnx", "--fused", "x.png")]
    [InlineData("--model-file runs on ONNX Runtime only", "eval", "--model-file", "m.onnx", "--engine", "torch")]
    [InlineData("unknown calibration method 'kl'", "quantize", "--checkpoint", "c.safetensors", "--calibrate", "synthetic", "--method", "kl", "--out", "q.onnx")]
    [InlineData("--calibration-images must be at least 1, not 0", "quantize", "--checkpoint", "c.safetensors", "--calibrate", "synthetic", "--calibration-images", "0", "--out", "q.onnx")]
    [InlineData("model file not found: 'missing.onnx'", "eval", "--model-file", "missing.onnx")]
    [InlineData("unknown test-time augmentation 'crop'", "eval", "--checkpoint", "c.safetensors", "--tta", "crop")]
    [InlineData("image file 'missing.png' does not exist", "predict", "--checkpoint", "/nonexistent/best.safetensors", "missing.png")]
    [InlineData("torchvision publishes no ImageNet weights for 'resnet20'", "train", "--weights", "DEFAULT")]
    [InlineData("'resnet18' has no weights 'IMAGENET1K_V2'; it has IMAGENET1K_V1", "predict", "--model", "resnet18", "--weights", "IMAGENET1K_V2", "x.png")]
    [InlineData("'resnet34' has no weights 'IMAGENET1K_V3'", "export", "--model", "resnet34", "--weights", "IMAGENET1K_V3", "--format", "onnx", "--out", "x.onnx")]
    public void Bad_training_input_is_one_line_and_exit_code_2(string message, params string[] args) =>
        AssertOneLineError(Run(args), message);

    // Flags the parser rejects: one line naming them and the command's --help, exit code 2, no help dump on stdout.
    [Theory]
    [InlineData("Unrecognized command or argument '--image-size'; Unrecognized command or argument '64'; see 'resnet eval --help'", "eval", "--image-size", "64")]
    [InlineData("Cannot parse argument 'abc' for option '--epochs'", "train", "--epochs", "abc")]
    [InlineData("Unrecognized command or argument 'trian'; see 'resnet --help'", "trian")]
    [InlineData("see 'resnet data check --help'", "data", "check", "folder:x", "--bogus")]
    public void Bad_flags_are_one_line_and_exit_code_2(string message, params string[] args)
    {
        var r = Run(args);
        AssertOneLineError(r, message);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Unknown_model_lists_the_valid_names()
    {
        var r = Run("summary", "--model", "resnet51");
        AssertOneLineError(r, "unknown model 'resnet51'");
        foreach (var name in ModelZoo.Names) Assert.Contains(name, r.Err);
    }

    [Theory]
    [InlineData("224")]
    [InlineData("3x0x224")]
    [InlineData("axbxc")]
    public void Malformed_input_size_is_one_line(string size) =>
        AssertOneLineError(Run("summary", "--model", "resnet20", "--input-size", size), $"malformed input size '{size}'");

    [Fact]
    public void Unknown_device_is_one_line() =>
        AssertOneLineError(Run("summary", "--model", "resnet20", "--device", "tpu"), "unknown device 'tpu'");

    [Fact]
    public void Summary_json_has_totals_and_layers()
    {
        var r = Run("summary", "--model", "small_resnet", "--num-classes", "7", "--input-size", "3x16x16", "--device", "cpu", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(43_242 - 3 * 32 - 3, root.GetProperty("total_params").GetInt64()); // 3 fewer classes: 32 weights + 1 bias each
        Assert.Equal(root.GetProperty("total_params").GetInt64(), root.GetProperty("trainable_params").GetInt64());
        Assert.Equal("3x16x16", root.GetProperty("input_size").GetString());
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal("conv1", layers[0].GetProperty("name").GetString());
        Assert.Equal(new[] { 1, 16, 16, 16 }, layers[0].GetProperty("output_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(root.GetProperty("macs").GetInt64(), layers.Sum(l => l.GetProperty("macs").GetInt64()));
    }

    [Fact]
    public void Summary_table_shows_layers_and_totals()
    {
        var r = Run("summary", "--model", "resnet20", "--input-size", "3x8x8", "--device", "cpu");
        Assert.Equal(0, r.Code);
        Assert.Contains("layer3.2.conv2", r.Out);
        Assert.Contains("total params: 269,722", r.Out);
    }
}
