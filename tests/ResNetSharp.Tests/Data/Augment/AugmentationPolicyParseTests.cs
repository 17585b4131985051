using ResNetSharp.Data;
using ResNetSharp.Data.Augment;

namespace ResNetSharp.Tests.Data.Augment;

/// <summary>The --augment items of the policies and of random erasing.</summary>
public class AugmentationPolicyParseTests
{
    [Theory]
    [InlineData("standard,trivialaugment,erasing=0.25", "crop,flip,trivialaugment,erasing=0.25")]
    [InlineData("randaugment", "randaugment=2:9")]
    [InlineData("RandAugment=3:15", "randaugment=3:15")]
    [InlineData("autoaugment", "autoaugment=imagenet")]
    [InlineData("autoaugment=CIFAR10", "autoaugment=cifar10")]
    [InlineData("autoaugment=svhn,erasing", "autoaugment=svhn,erasing=0.5")]
    [InlineData("standard,mixup,cutmix,trivialaugment", "crop,flip,mixup=0.2,cutmix=1,trivialaugment")]
    public void Policies_and_erasing_parse_and_print(string text, string canonical)
    {
        var parsed = Augmentation.Parse(text);
        Assert.Equal(canonical, parsed.ToString());
        Assert.Equal(parsed, Augmentation.Parse(canonical));
        Assert.True(parsed.Any);
    }

    [Fact]
    public void The_parsed_policies_are_torchvisions_defaults()
    {
        Assert.Equal(new RandAugment(2, 9), Augmentation.Parse("randaugment").Policy);
        Assert.Equal(new AutoAugment(AutoAugmentDataset.ImageNet), Augmentation.Parse("autoaugment").Policy);
        Assert.IsType<TrivialAugmentWide>(Augmentation.Parse("trivialaugment").Policy);
        Assert.Equal(0.5, Augmentation.Parse("erasing").Erasing);
    }

    [Theory]
    [InlineData("randaugment=2", "randaugment=N:M")]
    [InlineData("randaugment=2:31", "0–30")]
    [InlineData("randaugment=0:9", "N in 1–10")]
    [InlineData("randaugment=1000000:9", "N in 1–10")]
    [InlineData("randaugment=a:b", "randaugment=N:M")]
    [InlineData("autoaugment=mnist", "imagenet, autoaugment=cifar10 or autoaugment=svhn")]
    [InlineData("autoaugment=1", "imagenet, autoaugment=cifar10 or autoaugment=svhn")]
    [InlineData("trivialaugment=31", "takes no value")]
    [InlineData("erasing=0", "unknown augmentation")]
    [InlineData("erasing=1.5", "unknown augmentation")]
    public void Bad_policy_values_are_one_clear_error(string text, string message) =>
        Assert.Contains(message, Assert.Throws<ResNetSharpException>(() => Augmentation.Parse(text)).Message);
}
