using ResNetSharp.Models;

namespace ResNetSharp.Tests.Models;

public class StateDictKeyTests
{
    [Fact]
    public void Resnet50_has_torchvision_keys()
    {
        using var model = ResNet.Create("resnet50");
        var keys = model.state_dict().Keys.ToList();
        Assert.Equal(320, keys.Count);
        Assert.Contains("layer1.0.downsample.0.weight", keys);
        Assert.Contains("layer1.0.downsample.1.num_batches_tracked", keys);
        Assert.Contains("bn1.running_var", keys);
        Assert.Contains("fc.bias", keys);
    }
}
