namespace ResNetSharp.Models;

/// <summary>The named models of the literature, each a <see cref="ResNetConfig"/>.</summary>
public static class ModelZoo
{
    /// <summary>A named model: its configuration and a one-line description.</summary>
    public sealed record Entry(string Name, ResNetConfig Config, string Description);

    private static readonly ResNetConfig ImageNetBasic = new() { Block = BlockKind.Basic };
    private static readonly ResNetConfig ImageNetBottleneck = new() { Block = BlockKind.Bottleneck };

    /// <summary>CIFAR ResNet of depth 6n+2 (He et al. 2015, section 4.2): 3x3 stem, 3 stages of n basic blocks at 16/32/64, option A shortcuts.</summary>
    public static ResNetConfig Cifar(int depth, bool residual = true)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ResNetSharpException($"a CIFAR ResNet has depth 6n+2 (20, 32, 44, 56, 110, 1202, ...), not {depth}.");
        int n = (depth - 2) / 6;
        return new ResNetConfig
        {
            Block = BlockKind.Basic, Layers = [n, n, n], Widths = [16, 32, 64], Stem = StemKind.Cifar,
            Shortcut = ShortcutKind.ZeroPad, Residual = residual, NumClasses = 10,
        };
    }

    /// <summary>An ImageNet ResNet with the CIFAR stem (3x3 stride-1 conv, no max-pool) and 10 classes, for 32x32 images (kuangliu/pytorch-cifar).</summary>
    private static ResNetConfig CifarStem(ResNetConfig imageNet) => imageNet with { Stem = StemKind.Cifar, NumClasses = 10 };

    private static readonly Entry[] All =
    [
        new("resnet18", ImageNetBasic with { Layers = [2, 2, 2, 2] }, "ResNet-18, ImageNet (He et al. 2015; torchvision)"),
        new("resnet34", ImageNetBasic with { Layers = [3, 4, 6, 3] }, "ResNet-34, ImageNet (He et al. 2015; torchvision)"),
        new("resnet50", ImageNetBottleneck with { Layers = [3, 4, 6, 3] }, "ResNet-50 v1.5 (stride on the 3x3), ImageNet (torchvision)"),
        new("resnet101", ImageNetBottleneck with { Layers = [3, 4, 23, 3] }, "ResNet-101 v1.5, ImageNet (torchvision)"),
        new("resnet152", ImageNetBottleneck with { Layers = [3, 8, 36, 3] }, "ResNet-152 v1.5, ImageNet (torchvision)"),
        new("resnet18v2", ImageNetBasic with { Block = BlockKind.PreActBasic, Layers = [2, 2, 2, 2] }, "Pre-activation ResNet-18 (He et al. 2016)"),
        new("resnet34v2", ImageNetBasic with { Block = BlockKind.PreActBasic, Layers = [3, 4, 6, 3] }, "Pre-activation ResNet-34 (He et al. 2016)"),
        new("resnet50v2", ImageNetBottleneck with { Block = BlockKind.PreActBottleneck, Layers = [3, 4, 6, 3] }, "Pre-activation ResNet-50 (He et al. 2016; Keras ResNet50V2)"),
        new("resnet101v2", ImageNetBottleneck with { Block = BlockKind.PreActBottleneck, Layers = [3, 4, 23, 3] }, "Pre-activation ResNet-101 (He et al. 2016; Keras ResNet101V2)"),
        new("resnet152v2", ImageNetBottleneck with { Block = BlockKind.PreActBottleneck, Layers = [3, 8, 36, 3] }, "Pre-activation ResNet-152 (He et al. 2016; Keras ResNet152V2)"),
        new("wide_resnet50_2", ImageNetBottleneck with { Layers = [3, 4, 6, 3], WidthPerGroup = 128 }, "Wide ResNet-50-2: bottleneck 3x3 twice as wide (Zagoruyko & Komodakis 2016; torchvision)"),
        new("wide_resnet101_2", ImageNetBottleneck with { Layers = [3, 4, 23, 3], WidthPerGroup = 128 }, "Wide ResNet-101-2 (torchvision)"),
        new("resnext50_32x4d", ImageNetBottleneck with { Layers = [3, 4, 6, 3], Groups = 32, WidthPerGroup = 4 }, "ResNeXt-50 32x4d: grouped 3x3 (Xie et al. 2017; torchvision)"),
        new("resnext101_32x8d", ImageNetBottleneck with { Layers = [3, 4, 23, 3], Groups = 32, WidthPerGroup = 8 }, "ResNeXt-101 32x8d (torchvision)"),
        new("resnet18_cifar", CifarStem(ImageNetBasic with { Layers = [2, 2, 2, 2] }), "ResNet-18 with the CIFAR stem (3x3 stride-1 conv, no max-pool), 10 classes, for 32x32 images"),
        new("resnet34_cifar", CifarStem(ImageNetBasic with { Layers = [3, 4, 6, 3] }), "ResNet-34 with the CIFAR stem, 10 classes, for 32x32 images"),
        new("resnet50_cifar", CifarStem(ImageNetBottleneck with { Layers = [3, 4, 6, 3] }), "ResNet-50 v1.5 with the CIFAR stem, 10 classes, for 32x32 images"),
        new("resnet20", Cifar(20), "CIFAR ResNet-20, option A shortcuts (He et al. 2015, section 4.2)"),
        new("resnet32", Cifar(32), "CIFAR ResNet-32, option A shortcuts"),
        new("resnet44", Cifar(44), "CIFAR ResNet-44, option A shortcuts"),
        new("resnet56", Cifar(56), "CIFAR ResNet-56, option A shortcuts"),
        new("resnet110", Cifar(110), "CIFAR ResNet-110, option A shortcuts"),
        new("resnet1202", Cifar(1202), "CIFAR ResNet-1202, option A shortcuts"),
        new("plain20", Cifar(20, residual: false), "CIFAR plain-20: ResNet-20 without skip connections"),
        new("plain32", Cifar(32, residual: false), "CIFAR plain-32: ResNet-32 without skip connections"),
        new("plain44", Cifar(44, residual: false), "CIFAR plain-44: ResNet-44 without skip connections"),
        new("plain56", Cifar(56, residual: false), "CIFAR plain-56: ResNet-56 without skip connections"),
        new("plain110", Cifar(110, residual: false), "CIFAR plain-110: ResNet-110 without skip connections"),
        new("small_resnet", new ResNetConfig
        {
            Block = BlockKind.Basic, Layers = [2, 2], Widths = [16, 32], Stem = StemKind.Cifar, StemBias = true,
            Shortcut = ShortcutKind.Projection, NumClasses = 10,
        }, "The small two-stage tutorial ResNet: 3x3 stem, 2 blocks at 16 and 2 at 32 channels"),
    ];

    private static readonly Dictionary<string, Entry> ByName = All.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every named model, in a stable order.</summary>
    public static IReadOnlyList<Entry> Entries => All;

    /// <summary>Every model name.</summary>
    public static IEnumerable<string> Names => All.Select(e => e.Name);

    /// <summary>The configuration of a named model; an unknown name is a <see cref="ResNetSharpException"/> listing the valid ones.</summary>
    public static ResNetConfig Config(string name) => ByName.TryGetValue(name, out var e)
        ? e.Config
        : throw new ResNetSharpException($"unknown model '{name}': choose one of {string.Join(", ", Names)} (see 'resnet models').");
}
