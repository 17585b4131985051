using System.Text.Json.Nodes;
using ResNetSharp.Experiments;
using ResNetSharp.Reports;

namespace ResNetSharp.Tests.Experiments;

public class GradientFlowTests
{
    // The two regimes of the PyTorch measurements (at initialisation, random images and labels): with BN and
    // Kaiming init, plain56's first/last ratio 6.6e3 vs resnet56's 12; without BN and with default init, plain56's
    // first-layer gradient is 0 (in float32) while resnet20's is 2e-2. Seeded here at batch 8 to stay fast. The
    // constants are from PyTorch 2.11 running docs/experiments/gradflow_reference.py --batch-size 8 --seeds 1
    // (seed 0): the same CPU generator draws the same batch and weights, so the numbers agree to 3 digits.
    [Fact]
    public void With_batch_norm_plain56_gradients_explode_towards_the_input_and_resnet56s_do_not()
    {
        var r = GradientFlow.Run(new GradientFlowOptions { Models = ["plain56", "resnet56"], BatchSize = 8, Seed = 0 });
        double plain = r.Models[0].FirstToLastRatio, residual = r.Models[1].FirstToLastRatio;
        Assert.True(plain > 100 * residual, $"plain56 ratio {plain:G3}, resnet56 ratio {residual:G3}");
        Assert.Equal(6.59e3, plain, 6.59e3 * 0.01);
        Assert.Equal(16.1, residual, 16.1 * 0.01);
    }

    [Fact]
    public void Without_batch_norm_and_default_init_plain56_gradients_vanish_and_resnet56s_do_not()
    {
        var r = GradientFlow.Run(new GradientFlowOptions
        {
            Models = ["plain56", "resnet56"], BatchSize = 8, Seed = 0, BatchNorm = false, KaimingInit = false,
        });
        double plain = r.Models[0].Layers[0].GradNorm, residual = r.Models[1].Layers[0].GradNorm;
        Assert.True(residual > 1e-3, $"resnet56 first-layer gradient {residual:G3}");
        Assert.True(plain < 1e-12 * residual, $"plain56 first-layer gradient {plain:G3}, resnet56 {residual:G3}");
        Assert.Equal(8.66e-23, plain, 8.66e-23 * 0.01);
        Assert.Equal(0.0963, residual, 0.0963 * 0.01);
    }

    [Fact]
    public void Json_and_plot_have_the_stated_fields()
    {
        using var temp = new TempDir();
        var dir = temp.Path;
        var r = GradientFlow.Run(new GradientFlowOptions { Models = ["plain20", "resnet20"], BatchSize = 4 });
        ExperimentFiles.EnsureDirectory(dir);
        ExperimentFiles.WriteJson(Path.Combine(dir, "gradflow.json"), GradientFlowReport.ToJson(r));
        GradientFlowReport.SavePlot(r, Path.Combine(dir, "gradflow.png"));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "gradflow.json")))!;
        var models = json["models"]!.AsArray();
        Assert.Equal(["plain20", "resnet20"], models.Select(m => m!["name"]!.GetValue<string>()));
        foreach (var m in models)
        {
            var layers = m!["layers"]!.AsArray();
            Assert.Equal(19, layers.Count);
            Assert.Equal("conv1.weight", layers[0]!["name"]!.GetValue<string>());
            double first = layers[0]!["grad_norm"]!.GetValue<double>(), last = layers[^1]!["grad_norm"]!.GetValue<double>();
            Assert.Equal(first / last, m["first_to_last_ratio"]!.GetValue<double>(), 1e-9);
        }
        var png = File.ReadAllBytes(Path.Combine(dir, "gradflow.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(["gradflow.json", "gradflow.png"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Quick_is_a_baseline_that_explicit_flags_override()
    {
        using var temp = new TempDir();
        var dir = temp.Path;
        var r = Cli.CliTests.Run("experiment", "gradflow", "--quick", "--models", "plain20,resnet20", "--device", "cpu", "--out", dir, "--json");
        Assert.True(r.Code == 0, r.Err);
        var json = JsonNode.Parse(r.Out)!;
        Assert.Equal(16, json["settings"]!["batch_size"]!.GetValue<int>());   // --quick's
        Assert.Equal(["plain20", "resnet20"], json["models"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()));   // given
    }

    [Fact]
    public void Training_steps_change_the_measured_gradients()
    {
        var atInit = GradientFlow.Run(new GradientFlowOptions { Models = ["resnet20"], BatchSize = 4 });
        var trained = GradientFlow.Run(new GradientFlowOptions { Models = ["resnet20"], BatchSize = 4, Steps = 3, Lr = 0.05 });
        Assert.Equal(atInit.Models[0].Layers.Select(l => l.Name), trained.Models[0].Layers.Select(l => l.Name));
        Assert.NotEqual(atInit.Models[0].Layers[0].GradNorm, trained.Models[0].Layers[0].GradNorm);
        Assert.Equal(3, GradientFlowReport.ToJson(trained)["settings"]!["steps"]!.GetValue<int>());
        Assert.Contains("GradientFlowOptions.Steps", Assert.Throws<ResNetSharpException>(() => new GradientFlowOptions { Steps = -1 }.Validate()).Message);
    }

    [Fact]
    public void Unknown_model_and_tiny_batch_are_clear_errors()
    {
        var e = Assert.Throws<ResNetSharpException>(() => GradientFlow.Run(new GradientFlowOptions { Models = ["plain57"] }));
        Assert.Contains("unknown model 'plain57'", e.Message);
        Assert.Contains("GradientFlowOptions.BatchSize", Assert.Throws<ResNetSharpException>(() => new GradientFlowOptions { BatchSize = 1 }.Validate()).Message);
    }
}
