using ResNetSharp.Models;
using ResNetSharp.Models.Inspection;

namespace ResNetSharp.Tests.Models;

public class ParameterCountTests
{
    // torchvision.models: resnet18 11,689,512 ... (the "num_params" of each weights' meta, torchvision 0.15+);
    // CIFAR nets: He et al. 2015, Table 6 (0.27M, 0.85M) and the widely used option-A PyTorch CIFAR ResNets.
    // CIFAR-stem ImageNet nets (kuangliu/pytorch-cifar): torchvision's count - 1000-class fc + 10-class fc
    // - (7x7 - 3x3) x 3 x 64 stem weights, e.g. resnet18: 11,689,512 - 513,000 + 5,130 - 7,680.
    [Theory]
    [InlineData("resnet18", 1000, 11_689_512L)]
    [InlineData("resnet34", 1000, 21_797_672L)]
    [InlineData("resnet50", 1000, 25_557_032L)]
    [InlineData("resnet101", 1000, 44_549_160L)]
    [InlineData("resnet152", 1000, 60_192_808L)]
    [InlineData("wide_resnet50_2", 1000, 68_883_240L)]
    [InlineData("wide_resnet101_2", 1000, 126_886_696L)]
    [InlineData("resnext50_32x4d", 1000, 25_028_904L)]
    [InlineData("resnext101_32x8d", 1000, 88_791_336L)]
    [InlineData("resnet18_cifar", 10, 11_173_962L)]
    [InlineData("resnet34_cifar", 10, 21_282_122L)]
    [InlineData("resnet50_cifar", 10, 23_520_842L)]
    [InlineData("resnet20", 10, 269_722L)]
    [InlineData("resnet56", 10, 853_018L)]
    [InlineData("small_resnet", 10, 43_242L)]
    public void Matches_reference(string name, int classes, long expected)
    {
        // Built on the meta device (shapes only): StateDictKeyTests checks that meta and real counts agree.
        Assert.Equal(expected, MetaDevice.ParameterCount(ModelZoo.Config(name) with { NumClasses = classes }));
    }
}
