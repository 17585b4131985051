using System.Diagnostics;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class ExportRoundTripTests
{
    [Theory]
    [InlineData("safetensors", "w.safetensors")]
    [InlineData("pth", "w.pth")]
    public void Saved_weights_load_into_a_fresh_model_with_identical_outputs(string format, string file)
    {
        using var dir = new TempDir();
        manual_seed(3);
        using var model = ResNet.Create("small_resnet", numClasses: 7);
        OnnxExportTests.Randomise(model);
        model.eval();
        string path = dir.Combine(file);
        ModelExport.Export(model, ModelExport.ParseFormat(format), path);

        using var loaded = WeightLoading.LoadModel("small_resnet", path);
        using var input = randn(2, 3, 8, 8);
        using var a = model.call(input);
        using var b = loaded.call(input);
        Assert.Equal(7, loaded.Config.NumClasses);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void Export_cli_writes_an_onnx_file_that_onnx_runtime_runs()
    {
        using var dir = new TempDir();
        manual_seed(5);
        using var model = ResNet.Create("small_resnet", numClasses: 3);
        OnnxExportTests.Randomise(model);
        model.eval();
        string weights = dir.Combine("w.pth"), onnx = dir.Combine("m.onnx");
        ModelExport.Export(model, ExportFormat.Pth, weights);

        var (code, _, stderr) = Cli("export", "--model", "small_resnet", "--weights", weights, "--format", "onnx", "--out", onnx, "--dynamic-batch");
        Assert.True(code == 0, stderr);
        using var input = randn(3, 3, 8, 8);
        using var expected = model.call(input);
        var (shape, actual) = OnnxExportTests.RunOnnx(File.ReadAllBytes(onnx), input);
        Assert.Equal(new long[] { 3, 3 }, shape);
        Assert.True(expected.data<float>().ToArray().Zip(actual, (x, y) => Math.Abs(x - y)).Max() < 1e-4f);

        string checkpoint = dir.Combine("ckpt.safetensors"), fromCheckpoint = dir.Combine("c.safetensors");
        ModelExport.Export(model, ExportFormat.SafeTensors, checkpoint, metadata: new Dictionary<string, string> { ["model"] = "small_resnet" });
        Assert.Equal(0, Cli("export", "--checkpoint", checkpoint, "--format", "safetensors", "--out", fromCheckpoint).Code);
        using (var exported = SafeTensors.Load(fromCheckpoint))
            Assert.True(exported.Tensors["fc.weight"].eq(model.state_dict()["fc.weight"]).all().item<bool>());

        Assert.Contains("give either --checkpoint FILE, or --model NAME with --weights W [--labels FILE], or --model-file FILE.onnx", Cli("export", "--model", "small_resnet", "--format", "onnx", "--out", dir.Combine("y")).Stderr);

        var (badCode, _, badErr) = Cli("export", "--model", "small_resnet", "--weights", weights, "--format", "tflite", "--out", dir.Combine("x"));
        Assert.Equal(2, badCode);
        Assert.StartsWith("error: unknown export format 'tflite'", badErr);
        Assert.False(File.Exists(dir.Combine("x")));
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "resnet.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
