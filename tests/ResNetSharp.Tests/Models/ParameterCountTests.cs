using ResNetSharp.Models;

namespace ResNetSharp.Tests.Models;

public class ParameterCountTests
{
    // torchvision.models: resnet18 11,689,512 ... (the "num_params" of each weights' meta, torchvision 0.15+);
    // CIFAR nets: He et al. 2015, Table 6 (0.27M, 0.85M) and the widely used option-A PyTorch CIFAR ResNets.
    [Theory]
    [InlineData("resnet18", 1000, 11_689_512L)]
    [InlineData("resnet34", 1000, 21_797_672L)]
    [InlineData("resnet50", 1000, 25_557_032L)]
    [InlineData("resnet101", 1000, 44_549_160L)]
    [InlineData("resnet152", 1000, 60_192_808L)]
    [InlineData("wide_resnet50_2", 1000, 68_883_240L)]
    [InlineData("resnext50_32x4d", 1000, 25_028_904L)]
    [InlineData("resnet20", 10, 269_722L)]
    [InlineData("resnet56", 10, 853_018L)]
    [InlineData("small_resnet", 10, 43_242L)]
    public void Matches_reference(string name, int classes, long expected)
    {
        using var model = ResNet.Create(name, numClasses: classes);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
    }
}
