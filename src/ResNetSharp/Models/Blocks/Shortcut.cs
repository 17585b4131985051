using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>Builds the skip path of a block: identity (null), option A's zero padding, or a 1x1 projection.</summary>
internal static class Shortcut
{
    /// <summary>
    /// The module that maps the block input to the block output's shape, or null for the identity.
    /// Post-activation projections are conv + BN (torchvision's <c>downsample.0</c>, <c>downsample.1</c>);
    /// pre-activation projections are a bare conv applied to the pre-activated input.
    /// </summary>
    public static Module<Tensor, Tensor>? Create(long inPlanes, long outPlanes, long stride, BlockOptions o, bool preActivation)
    {
        if (!o.Residual) return null;
        bool shapeChanges = stride != 1 || inPlanes != outPlanes;
        switch (o.Shortcut)
        {
            case ShortcutKind.ZeroPad:
                return shapeChanges ? new ZeroPadShortcut(inPlanes, outPlanes, stride) : null;
            case ShortcutKind.Projection when !shapeChanges:
                return null;
            default:
                return preActivation
                    ? nn.Sequential(Layers.Conv1x1(inPlanes, outPlanes, stride))
                    : nn.Sequential(Layers.Conv1x1(inPlanes, outPlanes, stride), Layers.Norm(outPlanes, o));
        }
    }
}

/// <summary>
/// Option A shortcut (He et al. 2015, section 4.1/4.2): the identity subsampled by the stride, with the extra
/// channels filled with zeros, split evenly before and after the input channels (as the widely used PyTorch
/// CIFAR ResNets do). It has no parameters.
/// </summary>
public sealed class ZeroPadShortcut : nn.Module<Tensor, Tensor>
{
    private readonly long _stride, _before, _after;

    public ZeroPadShortcut(long inPlanes, long outPlanes, long stride) : base(nameof(ZeroPadShortcut))
    {
        if (outPlanes < inPlanes) throw new ResNetSharpException($"a zero-padded shortcut cannot reduce channels ({inPlanes} to {outPlanes}): use a projection shortcut.");
        _stride = stride;
        _before = (outPlanes - inPlanes) / 2;
        _after = outPlanes - inPlanes - _before;
    }

    /// <summary>The spatial subsampling step, and the zero channels padded before and after the input's (for export).</summary>
    internal (long Stride, long Before, long After) Geometry => (_stride, _before, _after);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var sub = _stride == 1 ? x : x[.., .., TensorIndex.Slice(null, null, _stride), TensorIndex.Slice(null, null, _stride)];
        return nn.functional.pad(sub, [0, 0, 0, 0, _before, _after]).MoveToOuterDisposeScope();
    }
}
