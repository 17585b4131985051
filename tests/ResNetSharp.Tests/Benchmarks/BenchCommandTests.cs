using System.Text.Json;
using ResNetSharp.Cli;

namespace ResNetSharp.Tests.Benchmarks;

public class BenchCommandTests
{
    [Fact]
    public void BenchRunsOnCpuAndPrintsTheJsonFields()
    {
        var (code, output, error) = Run("bench", "--model", "small_resnet", "--batch-size", "2", "--image-size", "8",
            "--steps", "1", "--warmup", "1", "--device", "cpu", "--precision", "bf16", "--channels-last", "--stem-channels", "4", "--json");
        Assert.True(code == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("small_resnet", json.GetProperty("model").GetString());
        Assert.Equal("bf16", json.GetProperty("precision").GetString());
        Assert.True(json.GetProperty("channels_last").GetBoolean());
        Assert.True(json.GetProperty("train_images_per_sec").GetDouble() > 0);
        Assert.True(json.GetProperty("infer_images_per_sec").GetDouble() > 0);
        Assert.True(json.GetProperty("infer_unfused_images_per_sec").GetDouble() > 0);
        Assert.False(json.GetProperty("infer_cudnn_fusion").GetBoolean());
        Assert.InRange(json.GetProperty("infer_fused_relative_error").GetDouble(), 0, 3e-2);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("train_device_memory_bytes").ValueKind);
        Assert.Equal(4, json.GetProperty("infer_stem_channels").GetInt32());
    }

    [Fact]
    public void Bench_infer_with_onnxruntime_times_it_beside_torchsharp_with_the_same_outputs()
    {
        var (code, output, error) = Run("bench", "--model", "small_resnet", "--batch-size", "2", "--image-size", "16",
            "--steps", "1", "--warmup", "1", "--device", "cpu", "--mode", "infer", "--engine", "onnxruntime", "--json");
        Assert.True(code == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.True(json.GetProperty("infer_onnx_runtime_images_per_sec").GetDouble() > 0);
        Assert.True(json.GetProperty("infer_images_per_sec").GetDouble() > 0);
        Assert.InRange(json.GetProperty("infer_onnx_runtime_relative_error").GetDouble(), 0, 1e-4);
        Assert.Contains("ONNX Runtime runs the exported model in fp32", Run("bench", "--device", "cpu", "--mode", "infer", "--engine", "onnxruntime", "--precision", "bf16").Error);
    }

    [Theory]
    [InlineData("--engine", "tensorrt")]
    [InlineData("--precision", "fp8")]
    [InlineData("--batch-size", "0")]
    [InlineData("--model", "resnet9000")]
    [InlineData("--stem-channels", "2")]
    public void BadFlagsAreOneLineErrors(string flag, string value)
    {
        var (code, _, error) = Run("bench", "--device", "cpu", "--steps", "1", flag, value);
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("   at ", error);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = global::ResNetSharp.Cli.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
