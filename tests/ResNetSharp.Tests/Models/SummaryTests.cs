using ResNetSharp.Models;
using ResNetSharp.Models.Inspection;

namespace ResNetSharp.Tests.Models;

public class SummaryTests
{
    [Fact]
    public void Small_resnet_macs_equal_a_hand_count()
    {
        // Conv MACs = output elements x (in_channels / groups) x kh x kw; linear MACs = in x out.
        static long Conv(long cout, long hw, long cin, long k) => cout * hw * hw * cin * k * k;
        long stem = Conv(16, 32, 3, 3);
        long layer1 = 4 * Conv(16, 32, 16, 3);                                        // 2 blocks x 2 convs at 32x32
        long layer2 = Conv(32, 16, 16, 3) + Conv(32, 16, 16, 1) + 3 * Conv(32, 16, 32, 3); // strided conv, 1x1 projection, 3 more convs at 16x16
        long fc = 32 * 10;

        using var model = ResNet.Create("small_resnet");
        var summary = ModelSummary.Of(model, new InputShape(3, 32, 32));

        Assert.Equal(stem + layer1 + layer2 + fc, summary.Macs);
        Assert.Equal(43_242, summary.TotalParams);
        Assert.Equal(43_242, summary.TrainableParams);
        Assert.Equal(0, summary.NonTrainableParams);
        // running mean + variance of bn1 (16), 4 BNs at 16, 4 at 32 and the projection's BN at 32.
        Assert.Equal(2 * (16 + 4 * 16 + 4 * 32 + 32), summary.BatchNormRunningStats);
        var projection = Assert.Single(summary.Layers, l => l.Name == "layer2.0.downsample.0");
        Assert.Equal([1, 32, 16, 16], projection.OutputShape);
        Assert.Equal(Conv(32, 16, 16, 1), projection.Macs);
        Assert.Equal(16 * 32, projection.Params);
        Assert.Equal([1, 10], summary.Layers[^1].OutputShape);
        Assert.Equal(320, summary.Layers[^1].Macs);
    }

    // torchvision's weight metadata (_ops, in GFLOPS as multiply-accumulates): ResNet50_Weights.IMAGENET1K_V1 4.089,
    // ResNet18_Weights.IMAGENET1K_V1 1.814, at 3x224x224.
    [Theory]
    [InlineData("resnet18", 1.814e9)]
    [InlineData("resnet50", 4.089e9)]
    public void Imagenet_macs_match_torchvision(string name, double expected)
    {
        using var model = ResNet.Create(name);
        var summary = ModelSummary.Of(model, InputShape.For(model.Config));
        Assert.InRange(summary.Macs, expected * 0.99, expected * 1.01);
    }

    [Fact]
    public void Summary_restores_training_mode_and_counts_frozen_parameters()
    {
        using var model = ResNet.Create("resnet20");
        model.get_parameter("fc.weight")!.requires_grad = false;
        model.train();
        var summary = ModelSummary.Of(model, new InputShape(3, 8, 8));
        Assert.True(model.training);
        Assert.Equal(640, summary.NonTrainableParams);
        Assert.Equal(summary.TotalParams - 640, summary.TrainableParams);
    }
}
