using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using ResNetSharp.Cli;
using ResNetSharp.Cli.Commands;
using ResNetSharp.Cli.Options;
using ResNetSharp.Serving;

namespace ResNetSharp.Tests.Serving;

// resnet serve's flags (declared by ResNetClassifierOptions' [Setting]s), --config FILE.json and their precedence:
// defaults < appsettings/environment < config file < flags given on the command line.
public class ServeFlagsTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task Flags_given_win_over_the_config_file_and_the_environment()
    {
        using var temp = new TempDir();
        var file = temp.Combine("serve.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ResNetClassifier"] = new Dictionary<string, object>
                { ["Model"] = "small_resnet", ["Weights"] = model.Weights, ["Labels"] = model.Labels, ["Device"] = "cpu", ["MaxBatch"] = 8, ["TopK"] = 3, ["RateLimit"] = 7 },
        }));
        Environment.SetEnvironmentVariable("ResNetClassifier__MaxBatch", "6");
        Environment.SetEnvironmentVariable("ResNetClassifier__MaxPixels", "1000000");
        try
        {
            var options = await Parse(["--config", file, "--max-batch", "4", "--rate-limit", "50/s", "--max-connections", "12",
                "--min-body-rate", "100", "--header-timeout-s", "3", "--protect-metrics", "--max-decoding-mb", "64"]);
            Assert.Equal((4, 3, 50.0, 1_000_000L, 12L, 100.0, 3.0, true, 64.0, "small_resnet"),
                (options.MaxBatch, options.TopK, options.RateLimit, options.MaxPixels, options.MaxConnections, options.MinBodyRate,
                 options.HeaderTimeoutS, options.ProtectMetrics, options.MaxDecodingMb, options.Model));
            Assert.Equal((256, 30.0, false), (options.MaxQueue, options.TimeoutS, options.AllowAnonymous));   // defaults, set nowhere
        }
        finally
        {
            Environment.SetEnvironmentVariable("ResNetClassifier__MaxBatch", null);
            Environment.SetEnvironmentVariable("ResNetClassifier__MaxPixels", null);
        }
    }

    [Fact]
    public async Task A_bad_config_file_is_one_clear_error()
    {
        using var temp = new TempDir();
        var file = temp.Combine("serve.json");
        Assert.EndsWith("does not exist. Check the --config path.", (await Assert.ThrowsAsync<ResNetSharpException>(() => Parse(["--config", temp.Combine("missing.json")]))).Message);
        File.WriteAllText(file, """{ "ResNetClassifier": { "MaxBatch": 4, """);
        Assert.Contains("is not valid JSON", (await Assert.ThrowsAsync<ResNetSharpException>(() => Parse(["--config", file]))).Message);
        File.WriteAllText(file, """{ "ResNetClassifier": { "Checkpoint": "best.safetensors", "MaxBach": 4 } }""");
        var e = await Assert.ThrowsAsync<ResNetSharpException>(() => Parse(["--config", file]));
        Assert.Contains("MaxBach", e.Message);
        Assert.StartsWith($"the ResNetClassifier section of config file '{file}'", e.Message);
    }

    [Theory]
    [InlineData("50", 50.0)]
    [InlineData("2.5/s", 2.5)]
    [InlineData("10/S", 10.0)]
    [InlineData("0", 0.0)]
    public void Rate_limits_are_N_or_N_per_second(string text, double rate) => Assert.Equal(rate, ResNetClassifierOptions.ParseRateLimit(text));

    [Theory]
    [InlineData("fast")]
    [InlineData("-1")]
    [InlineData("5/min")]
    [InlineData("NaN")]
    public void A_bad_rate_limit_says_the_forms(string text) =>
        Assert.Contains("N or N/s", Assert.Throws<ResNetSharpException>(() => ResNetClassifierOptions.ParseRateLimit(text)).Message);

    [Fact]
    public async Task Every_setting_is_a_flag_and_one_model_source_is_required()
    {
        var flags = ServeCommand.Create().Options.Select(o => o.Name).ToHashSet();
        foreach (var flag in new[] { "--api-key-file", "--allow-anonymous", "--protect-metrics", "--rate-limit", "--max-pixels", "--max-decoding-mb",
                     "--tls-cert", "--tls-key", "--max-connections", "--header-timeout-s", "--min-body-rate", "--model-file", "--config", "--host", "--port" })
            Assert.Contains(flag, flags);
        var e = await Assert.ThrowsAsync<ResNetSharpException>(() => Parse(["--checkpoint", "best.safetensors", "--model-file", "m.onnx"]));
        Assert.Equal("give either --checkpoint FILE, or --model NAME with --weights W [--labels FILE], or --model-file FILE.onnx.", FlagNames.Translate(e.Message));
    }

    // An ONNX model file (as resnet export writes it, labels and preprocessing in its metadata) answers as the weights it came from.
    [Fact]
    public async Task A_model_file_serves_as_the_model_it_was_exported_from()
    {
        using var temp = new TempDir();
        var onnx = temp.Combine("small.onnx");
        using (var predictor = ResNetSharp.Inference.Predictor.FromWeights("small_resnet", model.Weights, labelsPath: model.Labels))
            ResNetSharp.Interop.Onnx.OnnxModelFile.Export(model.Model, predictor.Description, onnx, new() { DynamicBatch = true });
        var options = await Parse(["--model-file", onnx, "--max-delay-ms", "2"]);
        string[] answers = new string[2];
        foreach (var (served, i) in new[] { (options, 0), (model.Options(), 1) })
        {
            await using var server = await InProcessServer.StartAsync(served);
            var response = await server.PostAsync("/v1/models/small_resnet/classify", File.ReadAllBytes(model.Square));
            Assert.Equal(200, (int)response.StatusCode);
            answers[i] = await response.Content.ReadAsStringAsync();
        }
        var (fromFile, fromWeights) = (Top(answers[0]), Top(answers[1]));
        Assert.Equal(fromWeights.Select(t => t.Label), fromFile.Select(t => t.Label));
        Assert.Equal(model.Names[fromWeights[0].Index], fromFile[0].Label);
        Assert.All(fromFile.Zip(fromWeights), p => Assert.Equal(p.Second.Probability, p.First.Probability, 1e-5));
        var e = await Assert.ThrowsAsync<ResNetSharpException>(() => Parse(["--model-file", onnx, "--engine", "torch"]));
        Assert.StartsWith("--model-file runs on ONNX Runtime only", FlagNames.Translate(e.Message));
    }

    private static (int Index, string Label, double Probability)[] Top(string json) =>
        [.. JsonDocument.Parse(json).RootElement.GetProperty("predictions")[0].GetProperty("top").EnumerateArray()
            .Select(t => (t.GetProperty("index").GetInt32(), t.GetProperty("label").GetString()!, t.GetProperty("prob").GetDouble()))];

    // The options `resnet serve ARGS` would serve with: the command's parse, then ServeHost's configuration and flags.
    private static Task<ResNetClassifierOptions> Parse(string[] args)
    {
        (string? Config, Action<ResNetClassifierOptions> Flags)? given = null;
        var command = ServeCommand.Create((config, flags, _, _, _) =>
        {
            given = (config, flags);
            return 0;
        });
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        var invoked = parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        Assert.Equal(0, invoked);
        var options = new ResNetClassifierOptions();
        var app = ServeHost.Build(options, b => b.WebHost.UseTestServer(), given!.Value.Config, given.Value.Flags);
        return app.DisposeAsync().AsTask().ContinueWith(_ => options);
    }
}
