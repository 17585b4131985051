namespace ResNetSharp.Models;

/// <summary>The residual block a stage is built from.</summary>
public enum BlockKind
{
    /// <summary>Two 3x3 convolutions (ResNet-18/34, CIFAR ResNets). Expansion 1.</summary>
    Basic,
    /// <summary>1x1 reduce, 3x3 (strided, grouped), 1x1 expand (ResNet-50+, ResNeXt, Wide ResNet; torchvision v1.5). Expansion 4.</summary>
    Bottleneck,
    /// <summary>Pre-activation basic block: BN-ReLU-conv twice (He et al. 2016, "V2").</summary>
    PreActBasic,
    /// <summary>Pre-activation bottleneck: BN-ReLU-conv three times (He et al. 2016, "V2").</summary>
    PreActBottleneck,
}

/// <summary>How the skip connection matches shapes (He et al. 2015, section 4.1).</summary>
public enum ShortcutKind
{
    /// <summary>Option A: identity, subsampled by the stride, with zero channels padded on; no parameters.</summary>
    ZeroPad,
    /// <summary>Option B: identity where shapes match, a 1x1 projection (+BN) where stride or width change.</summary>
    Projection,
    /// <summary>Option C: a 1x1 projection (+BN) on every block.</summary>
    AlwaysProjection,
}

/// <summary>The network's first layers.</summary>
public enum StemKind
{
    /// <summary>7x7 stride-2 convolution, BN, ReLU, 3x3 stride-2 max pool (ImageNet ResNets).</summary>
    ImageNet,
    /// <summary>3x3 stride-1 convolution, BN, ReLU (CIFAR ResNets, He et al. 2015 section 4.2).</summary>
    Cifar,
}

/// <summary>What the network returns (Keras' <c>include_top</c> and <c>pooling</c>).</summary>
public enum HeadKind
{
    /// <summary>Global average pool, then a linear classifier: logits [N, classes].</summary>
    Classifier,
    /// <summary>No classifier; global average pool: features [N, C].</summary>
    AvgPool,
    /// <summary>No classifier; global max pool: features [N, C].</summary>
    MaxPool,
    /// <summary>No classifier, no pooling: the last feature map [N, C, H, W].</summary>
    FeatureMap,
}

/// <summary>
/// One configuration drives every ResNet variant: block, depth per stage, widths, shortcut, stem, head.
/// Named models (<see cref="ModelZoo"/>) are instances of it.
/// </summary>
public sealed record ResNetConfig
{
    /// <summary>The block every stage uses.</summary>
    public BlockKind Block { get; init; } = BlockKind.Basic;
    /// <summary>Blocks per stage, e.g. [3, 4, 6, 3] for ResNet-50.</summary>
    public int[] Layers { get; init; } = [2, 2, 2, 2];
    /// <summary>Planes per stage before expansion, e.g. [64, 128, 256, 512]. The first stage has stride 1, the others stride 2.</summary>
    public int[] Widths { get; init; } = [64, 128, 256, 512];
    /// <summary>The first layers.</summary>
    public StemKind Stem { get; init; } = StemKind.ImageNet;
    /// <summary>Output channels of the stem convolution; defaults to the first stage's width.</summary>
    public int? StemWidth { get; init; }
    /// <summary>Whether the stem convolution has a bias (the tutorial network's does).</summary>
    public bool StemBias { get; init; }
    /// <summary>How skip connections match shapes.</summary>
    public ShortcutKind Shortcut { get; init; } = ShortcutKind.Projection;
    /// <summary>False builds the plain twin: the same layers with no skip connection at all.</summary>
    public bool Residual { get; init; } = true;
    /// <summary>Convolution groups of the bottleneck's 3x3 (ResNeXt cardinality).</summary>
    public int Groups { get; init; } = 1;
    /// <summary>Channels per group of the bottleneck's 3x3 at a stage width of 64 (64 = ResNet, 128 = Wide ResNet-2, 4 = ResNeXt 32x4d).</summary>
    public int WidthPerGroup { get; init; } = 64;
    /// <summary>Input image channels.</summary>
    public int InChannels { get; init; } = 3;
    /// <summary>Classifier outputs (ignored unless <see cref="Head"/> is <see cref="HeadKind.Classifier"/>).</summary>
    public int NumClasses { get; init; } = 1000;
    /// <summary>What the network returns.</summary>
    public HeadKind Head { get; init; } = HeadKind.Classifier;
    /// <summary>Whether BatchNorm layers are used. False replaces each by an identity; convolutions stay bias-free (for gradient-flow experiments).</summary>
    public bool BatchNorm { get; init; } = true;
    /// <summary>Initialise weights as torchvision (Kaiming normal, fan-out) rather than PyTorch's layer defaults.</summary>
    public bool KaimingInit { get; init; } = true;
    /// <summary>Zero the last BN (post-activation) or last conv (pre-activation) of each residual branch, so every block starts as identity.</summary>
    public bool ZeroInitResidual { get; init; }
    /// <summary>
    /// Stochastic depth, as timm's <c>drop_path_rate</c>: the drop probability of the last block's residual branch in
    /// training, rising linearly from 0 at the first block (Huang et al. 2016). 0: off.
    /// </summary>
    public double DropPathRate { get; init; }

    /// <summary>Channel expansion of the block: 1 for basic blocks, 4 for bottlenecks.</summary>
    public int Expansion => Block is BlockKind.Bottleneck or BlockKind.PreActBottleneck ? 4 : 1;

    /// <summary>True for pre-activation (V2) blocks.</summary>
    public bool PreActivation => Block is BlockKind.PreActBasic or BlockKind.PreActBottleneck;

    /// <summary>Channels of the last feature map.</summary>
    public int FeatureChannels => Widths[^1] * Expansion;

    /// <summary>Throws <see cref="ResNetSharpException"/> naming the problem and the fix when the configuration cannot be built.</summary>
    public void Validate()
    {
        if (Layers.Length == 0 || Layers.Length != Widths.Length)
            throw new ResNetSharpException($"the configuration has {Layers.Length} stage depths and {Widths.Length} stage widths: give one width per stage.");
        if (Layers.Any(n => n < 1) || Widths.Any(w => w < 1))
            throw new ResNetSharpException("every stage needs at least one block and a positive width.");
        if (InChannels < 1) throw new ResNetSharpException($"in_channels must be at least 1 (got {InChannels}).");
        if (Head == HeadKind.Classifier && NumClasses < 1) throw new ResNetSharpException($"num_classes must be at least 1 (got {NumClasses}).");
        if (Groups < 1 || WidthPerGroup < 1) throw new ResNetSharpException("groups and width_per_group must be positive.");
        if (Block is BlockKind.Basic or BlockKind.PreActBasic && (Groups != 1 || WidthPerGroup != 64))
            throw new ResNetSharpException("basic blocks only support groups=1 and width_per_group=64: use a bottleneck block for ResNeXt or Wide ResNet.");
        if (!(DropPathRate >= 0 && DropPathRate < 1))
            throw new ResNetSharpException($"the drop-path rate must be in [0, 1), not {DropPathRate}; 0.05-0.2 are usual.");
        if (DropPathRate > 0 && !Residual)
            throw new ResNetSharpException("drop path (stochastic depth) drops residual branches, and a plain net has none: use a drop-path rate of 0.");
        if (Shortcut == ShortcutKind.ZeroPad && Block is not BlockKind.Basic && Residual)
            throw new ResNetSharpException("shortcut option A (zero-padded identity) is only defined for post-activation basic blocks: use option B or C with this block.");
    }
}
