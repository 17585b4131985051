using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>Builds the skip path of a block: identity (no module), option A's zero padding, or a 1x1 projection.</summary>
internal static class Shortcut
{
    private const string Name = "downsample";

    /// <summary>
    /// The skip path's plan and the module (registered as <c>downsample</c>) that maps the block input to the block
    /// output's shape, or null where none is needed. Post-activation projections are conv + BN (torchvision's
    /// <c>downsample.0</c>, <c>downsample.1</c>); pre-activation projections are a bare conv applied to the pre-activated input.
    /// </summary>
    public static (ShortcutPlan Plan, Module<Tensor, Tensor>? Module) Create(long inPlanes, long outPlanes, long stride, BlockOptions o, bool preActivation)
    {
        if (!o.Residual) return (ShortcutPlan.None, null);
        bool shapeChanges = stride != 1 || inPlanes != outPlanes;
        switch (o.Shortcut)
        {
            case ShortcutKind.ZeroPad when shapeChanges:
                var geometry = ZeroPadGeometry.Of(inPlanes, outPlanes, stride);
                return (new ShortcutPlan(ShortcutPath.ZeroPad, Name, ZeroPad: geometry), new ZeroPadShortcut(geometry));
            case ShortcutKind.ZeroPad or ShortcutKind.Projection when !shapeChanges:
                return (ShortcutPlan.Identity, null);
            default:
                var plan = new ShortcutPlan(ShortcutPath.Projection, Name, $"{Name}.0", preActivation ? null : $"{Name}.1", FromPreActivated: preActivation);
                return (plan, preActivation
                    ? nn.Sequential(Layers.Conv1x1(inPlanes, outPlanes, stride))
                    : nn.Sequential(Layers.Conv1x1(inPlanes, outPlanes, stride), Layers.Norm(outPlanes, o)));
        }
    }
}

/// <summary>
/// Option A shortcut (He et al. 2015, section 4.1/4.2): the identity subsampled by the stride, with the extra
/// channels filled with zeros, split evenly before and after the input channels (as the widely used PyTorch
/// CIFAR ResNets do; see <see cref="ZeroPadGeometry"/>). It has no parameters.
/// </summary>
public sealed class ZeroPadShortcut : nn.Module<Tensor, Tensor>
{
    private readonly ZeroPadGeometry _geometry;

    /// <summary>The shortcut from <paramref name="inPlanes"/> to <paramref name="outPlanes"/> channels, subsampling by <paramref name="stride"/>.</summary>
    public ZeroPadShortcut(long inPlanes, long outPlanes, long stride) : this(ZeroPadGeometry.Of(inPlanes, outPlanes, stride)) { }

    internal ZeroPadShortcut(ZeroPadGeometry geometry) : base(nameof(ZeroPadShortcut)) => _geometry = geometry;

    /// <summary>
    /// Subsamples and zero-pads <paramref name="x"/> [N, C, H, W]. The subsampling <c>x[:, :, ::s, ::s]</c> is computed
    /// as an average pool of one pixel with stride s (the same values), whose gradient keeps the input's memory format:
    /// the two slices' gradients would be NCHW zeros with the values scattered in, which autograd then adds, layout
    /// against layout, to the channels_last gradient from the block's first convolution.
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (stride, before, after) = _geometry;
        var sub = stride == 1 ? x : nn.functional.avg_pool2d(x, 1, stride);
        return nn.functional.pad(sub, [0, 0, 0, 0, before, after]).MoveToOuterDisposeScope();
    }
}
