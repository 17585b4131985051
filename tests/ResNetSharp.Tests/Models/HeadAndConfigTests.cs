using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class HeadAndConfigTests
{
    [Fact]
    public void Feature_map_and_pooling_heads_have_no_classifier()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(2, 3, 8, 8);
        using var map = ResNet.Create("resnet20", head: HeadKind.FeatureMap);
        map.eval();
        var features = map.call(x);
        Assert.Equal([2, 64, 2, 2], features.shape);

        using var avg = ResNet.Create("resnet20", head: HeadKind.AvgPool);
        using var max = ResNet.Create("resnet20", head: HeadKind.MaxPool);
        foreach (var m in new[] { map, avg, max }) Assert.DoesNotContain(m.state_dict().Keys, k => k.StartsWith("fc."));
        avg.load_state_dict(map.state_dict());
        max.load_state_dict(map.state_dict());
        avg.eval();
        max.eval();
        Assert.True(avg.call(x).allclose(features.mean([2, 3]), atol: 1e-6));
        Assert.True(max.call(x).allclose(features.amax([2, 3]), atol: 1e-6));
    }

    [Fact]
    public void One_channel_input_works_and_wrong_channels_are_a_clear_error()
    {
        using var scope = NewDisposeScope();
        using var model = ResNet.Create("resnet20", inChannels: 1);
        Assert.Equal([2, 10], model.call(randn(2, 1, 8, 8)).shape);
        var e = Assert.Throws<ResNetSharpException>(() => model.call(randn(2, 3, 8, 8)));
        Assert.Contains("[N, 1, H, W]", e.Message);
    }

    [Fact]
    public void Option_A_with_bottlenecks_is_rejected()
    {
        var config = ModelZoo.Config("resnet50") with { Shortcut = ShortcutKind.ZeroPad };
        var e = Assert.Throws<ResNetSharpException>(() => new ResNet(config));
        Assert.Contains("option A", e.Message);
    }

    [Fact]
    public void Stage_depths_and_widths_must_match()
    {
        var config = new ResNetConfig { Layers = [2, 2, 2], Widths = [16, 32] };
        var e = Assert.Throws<ResNetSharpException>(() => new ResNet(config));
        Assert.Contains("3 stage depths and 2 stage widths", e.Message);
    }

    [Theory]
    [InlineData("224")]
    [InlineData("3x0x224")]
    [InlineData("axbxc")]
    [InlineData("3x224x224x1")]
    public void Malformed_input_size_is_a_clear_error(string text)
    {
        var e = Assert.Throws<ResNetSharpException>(() => InputShape.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Input_size_parses_and_defaults_follow_the_stem()
    {
        Assert.Equal(new InputShape(1, 28, 30), InputShape.Parse(" 1X28x30 "));
        Assert.Equal(new InputShape(3, 224, 224), InputShape.For(ModelZoo.Config("resnet50")));
        Assert.Equal(new InputShape(3, 32, 32), InputShape.For(ModelZoo.Config("resnet20")));
    }
}
