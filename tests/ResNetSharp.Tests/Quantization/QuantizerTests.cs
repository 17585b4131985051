using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Quantization;
using ResNetSharp.Tests.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Quantization;

/// <summary>Batch-norm folding, QDQ placement and the quantized file as a model file, on small random models.</summary>
public class QuantizerTests
{
    private static readonly ResNetConfig Tiny = new()
    {
        Block = BlockKind.Basic, Layers = [1, 1], Widths = [8, 16], Stem = StemKind.Cifar, NumClasses = 5,
    };

    internal static OnnxModelInfo Info(ResNetConfig c, int side = 16) =>
        new("tiny", [.. Enumerable.Range(0, c.NumClasses).Select(i => $"class {i}")], [.. Enumerable.Repeat(0.5f, c.InChannels)],
            [.. Enumerable.Repeat(0.25f, c.InChannels)], new InputShape(c.InChannels, side, side), 0.875f);

    /// <summary><paramref name="count"/> standard normal images in batches of 8, the same ones on every enumeration.</summary>
    private static IEnumerable<Tensor> Batches(int count, int channels = 3, int side = 16)
    {
        using var generator = new Generator(11);
        for (int done = 0; done < count; done += 8)
        {
            using var batch = randn([Math.Min(8, count - done), channels, side, side], generator: generator);
            yield return batch;
        }
    }

    private static ResNet RandomModel(ResNetConfig config)
    {
        manual_seed(7);
        var model = new ResNet(config);
        OnnxExportTests.Randomise(model);
        model.eval();
        return model;
    }

    [Fact]
    public void Folding_batch_norm_into_the_convolutions_is_exact()
    {
        using var model = RandomModel(Tiny with { Layers = [2, 2], Shortcut = ShortcutKind.Projection });
        var proto = OnnxExport.Build(model, new OnnxExportOptions { DynamicBatch = true });
        var folded = proto.Clone();
        Assert.Equal(proto.Graph.Node.Count(n => n.OpType == "BatchNormalization"), GraphFolding.FoldBatchNorms(folded.Graph));
        Assert.DoesNotContain(folded.Graph.Node, n => n.OpType == "BatchNormalization");
        using var input = randn(4, 3, 16, 16);
        var want = OnnxExportTests.RunOnnx(proto.ToByteArray(), input).Values;
        var got = OnnxExportTests.RunOnnx(folded.ToByteArray(), input).Values;
        float scale = Math.Max(1, want.Max(Math.Abs));
        Assert.All(want.Zip(got), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5f * scale, $"{p.First} vs {p.Second}"));
    }

    public static TheoryData<string, ResNetConfig> Kinds => new()
    {
        { "basic", Tiny },
        { "bottleneck with ImageNet stem", Tiny with { Block = BlockKind.Bottleneck, Stem = StemKind.ImageNet } },
        { "pre-activation basic", Tiny with { Block = BlockKind.PreActBasic } },
        { "pre-activation bottleneck", Tiny with { Block = BlockKind.PreActBottleneck } },
        { "option A", Tiny with { Shortcut = ShortcutKind.ZeroPad, Layers = [1, 2, 1], Widths = [8, 16, 32] } },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_block_kind_quantizes_into_integer_kernels_close_to_fp32(string _, ResNetConfig config)
    {
        using var model = RandomModel(config);
        var q = Int8Quantizer.Quantize(model, Info(config), Batches(32), new QuantizeOptions());
        Assert.Equal(32, q.ImagesUsed);
        Assert.True(q.Report.OpCounts.GetValueOrDefault("QLinearConv") >= 4, q.Report.ToString());
        if (config.Residual) Assert.True(q.Report.OpCounts.GetValueOrDefault("QLinearAdd") >= 1, q.Report.ToString());
        Assert.True(q.Report.Int8Ops > q.Report.Fp32Ops, q.Report.ToString());

        using var input = randn(8, 3, 16, 16);
        var want = OnnxExportTests.RunOnnx(OnnxExport.Build(model, new OnnxExportOptions { DynamicBatch = true }).ToByteArray(), input).Values;
        var got = OnnxExportTests.RunOnnx(q.Proto.ToByteArray(), input).Values;
        double error = Math.Sqrt(want.Zip(got, (a, b) => (a - b) * (a - b)).Sum() / want.Sum(a => a * a));
        Assert.True(error < 0.1, $"relative RMS error of the int8 logits {error:F3}; {q.Report}");
    }

    [Fact]
    public void Layers_kept_in_fp32_stay_fp32_and_per_tensor_weights_work()
    {
        using var model = RandomModel(Tiny);
        var q = Int8Quantizer.Quantize(model, Info(Tiny), Batches(16), new QuantizeOptions { KeepFp32 = ["fc", "conv1"], PerChannel = false });
        Assert.Equal(1, q.Report.OpCounts.GetValueOrDefault("Gemm"));
        Assert.False(q.Report.OpCounts.ContainsKey("QGemm"), q.Report.ToString());
        Assert.Contains(q.Report.OpCounts.Keys, op => op.Contains("Conv") && !op.StartsWith("QLinear"));
        var error = Assert.Throws<ResNetSharpException>(() => Int8Quantizer.Quantize(model, Info(Tiny), Batches(8), new QuantizeOptions { KeepFp32 = ["layer9"] }));
        Assert.Contains("layer9", error.Message);
    }

    [Fact]
    public void The_quantized_file_is_a_model_file_with_its_metadata()
    {
        using var model = RandomModel(Tiny);
        using var dir = new TempDir();
        string path = dir.Combine("tiny-int8.onnx");
        var options = new QuantizeOptions { Method = CalibrationMethod.Percentile, CalibrationImages = 20 };
        var progress = new List<(int, int)>();
        var q = Int8Quantizer.Quantize(model, Info(Tiny), Batches(64), options, new SyncProgress(progress.Add));
        q.Save(path);
        Assert.Equal(20, q.ImagesUsed);
        Assert.Equal((40, 40), progress[^1]); // two passes (min/max, then the histogram) of 20 images

        var (_, _, info) = OnnxModelFile.Load(path);
        var expected = Info(Tiny);
        Assert.Equal(expected.Model, info.Model);
        Assert.Equal(expected.Labels, info.Labels);
        Assert.Equal(expected.Mean, info.Mean);
        Assert.Equal(expected.Std, info.Std);
        Assert.Equal(expected.Input, info.Input);
        Assert.Equal(expected.CropFraction, info.CropFraction);
        Assert.Contains("\"method\":\"percentile\"", info.Quantization);
        Assert.Contains("\"images\":20", info.Quantization);

        using var predictor = Predictor.FromOnnx(path);
        Assert.Equal(expected.Labels, predictor.Labels);
        using var input = randn(3, 3, 16, 16);
        var direct = OnnxExportTests.RunOnnx(q.Proto.ToByteArray(), input).Values;
        Assert.Equal(direct, predictor.Logits(input.data<float>().ToArray(), 3));
        Assert.Contains("ONNX file", Assert.Throws<ResNetSharpException>(() => predictor.Parts).Message);
    }

    [Fact]
    public void An_fp32_export_with_metadata_is_a_model_file_that_predicts_as_the_model()
    {
        using var model = RandomModel(Tiny);
        using var dir = new TempDir();
        string path = dir.Combine("tiny.onnx");
        OnnxModelFile.Export(model, Info(Tiny), path);
        using var predictor = Predictor.FromOnnx(path);
        Assert.Null(OnnxModelFile.Load(path).Info.Quantization);
        using var input = randn(2, 3, 16, 16);
        using var expected = model.call(input);
        var got = predictor.Logits(input.data<float>().ToArray(), 2);
        Assert.All(expected.data<float>().ToArray().Zip(got), p => Assert.Equal(p.First, p.Second, 1e-4));
    }

    [Fact]
    public void Files_and_inputs_it_cannot_use_are_one_clear_error()
    {
        using var dir = new TempDir();
        using var model = RandomModel(Tiny);
        string foreign = dir.Combine("foreign.onnx");
        OnnxExport.Save(model, foreign); // a plain export: no ResNetSharp metadata
        var error = Assert.Throws<ResNetSharpException>(() => Predictor.FromOnnx(foreign));
        Assert.Contains("resnetsharp.labels", error.Message);
        Assert.Contains("not a ResNetSharp model file", error.Message);

        string garbage = dir.Combine("garbage.onnx");
        File.WriteAllBytes(garbage, [.. Enumerable.Repeat((byte)0xFF, 64)]);
        Assert.Contains("not an ONNX model", Assert.Throws<ResNetSharpException>(() => Predictor.FromOnnx(garbage)).Message);
        Assert.Contains("not found", Assert.Throws<ResNetSharpException>(() => Predictor.FromOnnx(dir.Combine("missing.onnx"))).Message);

        using var features = RandomModel(Tiny with { Head = HeadKind.AvgPool });
        Assert.Contains("no classifier", Assert.Throws<ResNetSharpException>(() =>
            Int8Quantizer.Quantize(features, Info(Tiny), Batches(8), new QuantizeOptions())).Message);
        Assert.Contains("1 channel(s) but the model takes 3", Assert.Throws<ResNetSharpException>(() =>
            Int8Quantizer.Quantize(model, Info(Tiny), Batches(8, channels: 1), new QuantizeOptions())).Message);
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<(int, int)> report) : IProgress<(int, int)>
    {
        public void Report((int, int) value) => report(value);
    }
}
