using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

/// <summary>Exported models run in ONNX Runtime (an independent implementation) and agree with TorchSharp in eval mode.</summary>
public class OnnxExportTests
{
    private static readonly ResNetConfig Tiny = new()
    {
        Block = BlockKind.Basic, Layers = [1, 1], Widths = [4, 8], Stem = StemKind.Cifar, NumClasses = 5,
    };

    public static TheoryData<string, ResNetConfig> Kinds => new()
    {
        { "basic", Tiny },
        { "bottleneck with ImageNet stem", Tiny with { Block = BlockKind.Bottleneck, Stem = StemKind.ImageNet } },
        { "grouped (ResNeXt)", Tiny with { Block = BlockKind.Bottleneck, Widths = [8, 16], Groups = 2, WidthPerGroup = 16 } },
        { "pre-activation basic", Tiny with { Block = BlockKind.PreActBasic } },
        { "pre-activation bottleneck", Tiny with { Block = BlockKind.PreActBottleneck } },
        { "option A", Tiny with { Shortcut = ShortcutKind.ZeroPad, Layers = [1, 2, 1], Widths = [4, 8, 16] } },
        { "option C", Tiny with { Shortcut = ShortcutKind.AlwaysProjection } },
        { "plain", Tiny with { Residual = false } },
        { "small_resnet (stem bias)", ModelZoo.Config("small_resnet") },
        { "avgpool head", Tiny with { Head = HeadKind.AvgPool } },
        { "maxpool head", Tiny with { Head = HeadKind.MaxPool } },
        { "feature map head", Tiny with { Head = HeadKind.FeatureMap } },
        { "no batch norm", Tiny with { BatchNorm = false } },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Onnx_runtime_output_equals_torchsharp(string _, ResNetConfig config)
    {
        manual_seed(7);
        using var model = new ResNet(config);
        Randomise(model);
        model.eval();
        using var input = randn(2, 3, 16, 16);
        using var expected = model.call(input);

        var bytes = OnnxExport.Build(model, new OnnxExportOptions { DynamicBatch = true }).ToByteArray();
        var (shape, actual) = RunOnnx(bytes, input);
        Assert.Equal(expected.shape, shape);
        var want = expected.data<float>().ToArray();
        float maxDiff = want.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff < 1e-4f, $"max |onnx - torch| = {maxDiff}");
    }

    [Fact]
    public void Fixed_batch_and_opset_are_written()
    {
        using var model = new ResNet(Tiny);
        var proto = OnnxExport.Build(model, new OnnxExportOptions { Opset = 13, BatchSize = 2 });
        Assert.Equal(13, proto.OpsetImport.Single().Version);
        Assert.Equal(2, proto.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);
        model.eval();
        using var input = randn(2, 3, 8, 8);
        Assert.Equal(new long[] { 2, 5 }, RunOnnx(proto.ToByteArray(), input).Shape);
        Assert.Contains("opset 9", Assert.Throws<ResNetSharpException>(() => OnnxExport.Build(model, new OnnxExportOptions { Opset = 9 })).Message);
    }

    internal static (long[] Shape, float[] Values) RunOnnx(byte[] model, Tensor input)
    {
        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input.data<float>().ToArray(), input.shape);
        using var options = new RunOptions();
        using var outputs = session.Run(options, new Dictionary<string, OrtValue> { ["input"] = value }, session.OutputNames);
        return (outputs[0].GetTensorTypeAndShape().Shape, outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    /// <summary>Non-trivial BN statistics and affine parameters, so BatchNormalization's eval-mode formula is exercised.</summary>
    internal static void Randomise(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (name, t) in model.state_dict())
        {
            if (name.EndsWith("running_var")) t.uniform_(0.5, 2.0);
            else if (name.EndsWith("running_mean") || name.EndsWith(".bias")) t.uniform_(-0.5, 0.5);
            else if (name.EndsWith(".weight") && t.dim() == 1) t.uniform_(0.5, 1.5);
        }
    }
}
