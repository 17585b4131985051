using ResNetSharp.Models.Blocks;
using ResNetSharp.Runtime;
using ResNetSharp.Runtime.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models;

/// <summary>
/// A residual network built from a <see cref="ResNetConfig"/>: stem, stages <c>layer1..layerN</c> of blocks, head.
/// The module tree gives torchvision's state_dict names (<c>conv1.weight</c>, <c>layer1.0.downsample.0.weight</c>,
/// <c>fc.bias</c>, ...). Create named models with <see cref="Create"/>, or any variant with <c>new ResNet(config)</c>.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor>? bn1, relu, maxpool, final_bn, avgpool, global_pool, fc;
    private readonly List<Module<Tensor, Tensor>> _stages = [];

    /// <summary>The configuration the network was built from (with the current <see cref="DropPathRate"/>).</summary>
    public ResNetConfig Config { get; private set; }

    /// <summary>
    /// Stochastic depth: the last block's drop probability in training, the others' rising linearly from 0 at the
    /// first block (timm's rule, <c>rate · i / (blocks − 1)</c>); settable, e.g. to fine-tune with it.
    /// </summary>
    public double DropPathRate
    {
        get => Config.DropPathRate;
        set
        {
            var config = Config with { DropPathRate = value };
            config.Validate();
            Config = config;
            var blocks = _stages.SelectMany(s => s.children()).OfType<IResidualBlock>().ToList();
            for (int i = 0; i < blocks.Count; i++)
                blocks[i].DropPathRate = blocks.Count == 1 ? value : value * i / (blocks.Count - 1);
        }
    }

    /// <summary>The stages <c>layer1..layerN</c>, in order.</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Stages => _stages;

    /// <summary>Builds the network <paramref name="config"/> describes, with its default initialisation (Kaiming normal convolutions, unit batch-norm scales).</summary>
    /// <param name="config">The architecture; validated first.</param>
    /// <exception cref="ResNetSharpException">The configuration is inconsistent (the message names the field).</exception>
    public ResNet(ResNetConfig config) : base(nameof(ResNet))
    {
        config.Validate();
        Config = config;
        var options = BlockOptions.From(config);
        long stemWidth = config.StemWidth ?? config.Widths[0];

        if (config.Stem == StemKind.ImageNet)
        {
            conv1 = nn.Conv2d(config.InChannels, stemWidth, 7, stride: 2, padding: 3, bias: config.StemBias);
            maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        }
        else
        {
            conv1 = nn.Conv2d(config.InChannels, stemWidth, 3, stride: 1, padding: 1, bias: config.StemBias);
        }
        if (!config.PreActivation)
        {
            // Pre-activation nets normalise and activate at the start of the first block instead.
            bn1 = Layers.Norm(stemWidth, options);
        }
        relu = nn.ReLU(inplace: true);

        long inPlanes = stemWidth;
        for (int i = 0; i < config.Layers.Length; i++)
        {
            var stage = MakeLayer(config, options, ref inPlanes, config.Widths[i], config.Layers[i], stride: i == 0 ? 1 : 2);
            _stages.Add(stage);
        }
        if (config.PreActivation) final_bn = Layers.Norm(inPlanes, options);

        switch (config.Head)
        {
            case HeadKind.Classifier:
                avgpool = nn.AdaptiveAvgPool2d(1);
                fc = nn.Linear(inPlanes, config.NumClasses);
                break;
            case HeadKind.AvgPool:
                avgpool = nn.AdaptiveAvgPool2d(1);
                break;
            case HeadKind.MaxPool:
                global_pool = nn.AdaptiveMaxPool2d([1, 1]);
                break;
        }

        // Registered in torchvision's module order: stem, layer1..layerN, head.
        var named = new List<(string, nn.Module?)> { ("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool) };
        named.AddRange(_stages.Select((s, i) => ($"layer{i + 1}", (nn.Module?)s)));
        named.AddRange([("final_bn", final_bn), ("avgpool", avgpool), ("global_pool", global_pool), ("fc", fc)]);
        foreach (var (name, module) in named)
            if (module is not null) register_module(name, module);
        Initialise(config);
        DropPathRate = config.DropPathRate;
    }

    /// <summary>A named model (see <see cref="ModelZoo.Names"/>), e.g. <c>ResNet.Create("resnet50", numClasses: 10)</c>.</summary>
    public static ResNet Create(string name, int? numClasses = null, int? inChannels = null, HeadKind? head = null)
    {
        var config = ModelZoo.Config(name);
        return new ResNet(config with
        {
            NumClasses = numClasses ?? config.NumClasses,
            InChannels = inChannels ?? config.InChannels,
            Head = head ?? config.Head,
        });
    }

    /// <summary>torchvision's <c>_make_layer</c>: the first block carries the stride and the width change.</summary>
    private static nn.Module<Tensor, Tensor> MakeLayer(ResNetConfig config, BlockOptions options, ref long inPlanes, long planes, int blocks, long stride)
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        for (int b = 0; b < blocks; b++)
        {
            modules.Add(CreateBlock(config.Block, inPlanes, planes, b == 0 ? stride : 1, options));
            inPlanes = planes * config.Expansion;
        }
        return nn.Sequential(modules);
    }

    private static nn.Module<Tensor, Tensor> CreateBlock(BlockKind kind, long inPlanes, long planes, long stride, BlockOptions o) => kind switch
    {
        BlockKind.Basic => new BasicBlock(inPlanes, planes, stride, o),
        BlockKind.Bottleneck => new Bottleneck(inPlanes, planes, stride, o),
        BlockKind.PreActBasic => new PreActBasicBlock(inPlanes, planes, stride, o),
        BlockKind.PreActBottleneck => new PreActBottleneck(inPlanes, planes, stride, o),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>torchvision's initialisation: Kaiming normal (fan-out, ReLU) for convolutions, BN weight 1 and bias 0.</summary>
    private void Initialise(ResNetConfig config)
    {
        using var _ = no_grad();
        foreach (var m in modules())
        {
            if (config.KaimingInit && m is TorchSharp.Modules.Conv2d conv)
                nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            else if (m is TorchSharp.Modules.BatchNorm2d bn)
            {
                nn.init.ones_(bn.weight!);
                nn.init.zeros_(bn.bias!);
            }
        }
        if (config.ZeroInitResidual && config.Residual)
            foreach (var m in modules()) if (m is IResidualBlock block) block.ZeroInitLast();
    }

    /// <summary>The last feature map [N, C, H, W], before pooling and classifier.</summary>
    public Tensor ForwardFeatures(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != Config.InChannels)
            throw new ResNetSharpException($"the model expects input of shape [N, {Config.InChannels}, H, W], got [{string.Join(", ", input.shape)}]: resize or convert the images, or build the model with in_channels={(input.dim() == 4 ? input.shape[1] : Config.InChannels)}.");
        using var scope = NewDisposeScope();
        var x = conv1.call(input);
        if (bn1 is not null) x = NormRelu(bn1, x);
        if (maxpool is not null) x = maxpool.call(x);
        foreach (var stage in _stages) x = stage.call(x);
        if (final_bn is not null) x = NormRelu(final_bn, x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>relu(norm(x)), as one <see cref="FusedBatchNorm"/> where it applies.</summary>
    private Tensor NormRelu(Module<Tensor, Tensor> norm, Tensor x) => FusedBatchNorm.TryApply(norm, x) ?? relu!.call(norm.call(x));

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = ForwardFeatures(input);
        if (avgpool is not null) x = avgpool.call(x).flatten(1);
        else if (global_pool is not null) x = global_pool.call(x).flatten(1);
        if (fc is not null) x = fc.call(x);
        return x.MoveToOuterDisposeScope();
    }
}
