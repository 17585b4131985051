using System.Diagnostics;
using System.Reflection;

namespace ResNetSharp.Tests.Samples;

// Each sample in samples/ is built with the tests and run here as its own process: it must exit 0 (each exits 1 when
// one of its own checks fails) and print its key checks as passed.
public class SamplesTests
{
    [Fact]
    public void ResNetFromScratch_matches_the_library_and_trains_one_step() => AssertRuns("ResNetFromScratch",
        "ok: identity block", "ok: projection block", "ok: two-stage ResNet, one SGD step", "ok: resnet50 by hand: [1, 3, 64, 64] -> [1, 1000]",
        "ok: resnet50: 25", "ok: resnet101: 44", "ok: resnet152: 60", "ok: resnet152 by hand", "ok: resnet50v2: library weights loaded by hand",
        "ok: gradient at the first layer");

    [Fact]
    public void FineTuneFolder_trains_the_head_evaluates_and_exports_onnx() => AssertRuns("FineTuneFolder",
        "ok: the frozen backbone's weights are the pretrained ones", "ok: evaluation: top-1", "ok: ONNX Runtime on the exported model");

    [Fact]
    public void AspNetCoreApp_serves_the_classifier_behind_its_own_authorisation() => AssertRuns("AspNetCoreApp",
        "ok: GET /hello", "without a key: 401", "with an unknown key: 401", "lacking the classify scope: 403", "with the classify key: 200", "ok: the answer: top-5");

    [Fact]
    public void MlNetInterop_scores_the_onnx_export_with_torchsharps_logits() => AssertRuns("MlNetInterop",
        "ok: ML.NET scored 8 images", "ok: ML.NET's logits vs TorchSharp's", "ok: predicted classes agree on 8/8");

    /// <summary>Runs the built sample; asserts exit code 0, no failed check and each expected line fragment.</summary>
    private static void AssertRuns(string sample, params string[] expected)
    {
        string format = typeof(SamplesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SamplesOutput").Value!;
        string dll = string.Format(format, sample);
        Assert.True(File.Exists(dll), $"{dll} is not built: build the solution (the test project references the samples).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{sample} did not finish within 8 minutes:\n{output.Result}");
        }
        string log = $"{sample} exited {process.ExitCode}:\n{output.Result}\n{error.Result}";
        Assert.True(process.ExitCode == 0, log);
        Assert.DoesNotContain("FAILED", output.Result);
        foreach (var line in expected) Assert.True(output.Result.Contains(line), $"missing '{line}' in the output of {log}");
    }
}
