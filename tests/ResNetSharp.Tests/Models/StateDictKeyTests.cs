using ResNetSharp.Models;
using ResNetSharp.Models.Inspection;

namespace ResNetSharp.Tests.Models;

public class StateDictKeyTests
{
    // torchvision.models.resnet: stem conv1/bn1, layerX.Y.convZ/bnZ (2 per BasicBlock, 3 per Bottleneck),
    // layerX.0.downsample.0 (1x1 conv) and .1 (BN) where stride != 1 or inplanes != planes * expansion, then fc.
    private static HashSet<string> TorchvisionKeys(bool bottleneck, int[] layers)
    {
        var keys = new HashSet<string>();
        void Conv(string p) => keys.Add($"{p}.weight");
        void Bn(string p) { foreach (var s in new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }) keys.Add($"{p}.{s}"); }
        Conv("conv1");
        Bn("bn1");
        for (int stage = 1; stage <= layers.Length; stage++)
        {
            for (int b = 0; b < layers[stage - 1]; b++)
            {
                for (int z = 1; z <= (bottleneck ? 3 : 2); z++)
                {
                    Conv($"layer{stage}.{b}.conv{z}");
                    Bn($"layer{stage}.{b}.bn{z}");
                }
                // Stage 1 keeps 64 channels and stride 1 for basic blocks; bottlenecks expand 64 to 256 there.
                if (b == 0 && (stage > 1 || bottleneck))
                {
                    Conv($"layer{stage}.0.downsample.0");
                    Bn($"layer{stage}.0.downsample.1");
                }
            }
        }
        keys.Add("fc.weight");
        keys.Add("fc.bias");
        return keys;
    }

    [Theory]
    [InlineData("resnet18", false, new[] { 2, 2, 2, 2 })]
    [InlineData("resnet34", false, new[] { 3, 4, 6, 3 })]
    [InlineData("resnet50", true, new[] { 3, 4, 6, 3 })]
    [InlineData("resnet101", true, new[] { 3, 4, 23, 3 })]
    [InlineData("resnet152", true, new[] { 3, 8, 36, 3 })]
    [InlineData("wide_resnet50_2", true, new[] { 3, 4, 6, 3 })]
    [InlineData("wide_resnet101_2", true, new[] { 3, 4, 23, 3 })]
    [InlineData("resnext50_32x4d", true, new[] { 3, 4, 6, 3 })]
    [InlineData("resnext101_32x8d", true, new[] { 3, 4, 23, 3 })]
    public void Keys_equal_torchvisions(string name, bool bottleneck, int[] layers)
    {
        var actual = MetaDevice.Inspect(ModelZoo.Config(name), m => m.state_dict().Keys.ToHashSet());
        var expected = TorchvisionKeys(bottleneck, layers);
        Assert.Empty(expected.Except(actual));
        Assert.Empty(actual.Except(expected));
    }

    [Fact]
    public void Resnet50_has_320_entries()
    {
        // torchvision's resnet50().state_dict() has 320 entries (161 parameters, 159 buffers).
        Assert.Equal(320, TorchvisionKeys(bottleneck: true, [3, 4, 6, 3]).Count);
        Assert.Equal(320, MetaDevice.Inspect(ModelZoo.Config("resnet50"), m => m.state_dict().Count));
    }

    [Fact]
    public void Meta_counts_equal_real_counts()
    {
        var config = ModelZoo.Config("resnet32");
        using var real = new ResNet(config);
        Assert.Equal(real.parameters().Sum(p => p.numel()), MetaDevice.ParameterCount(config));
    }
}
