namespace ResNetSharp.Models.Blocks;

/// <summary>How a block's skip path is computed.</summary>
public enum ShortcutPath
{
    /// <summary>No skip path at all: the plain (non-residual) twin; the branch output is not added to anything.</summary>
    None,
    /// <summary>The block input itself.</summary>
    Identity,
    /// <summary>Option A: the block input subsampled and zero-padded to the output channels (see <see cref="ZeroPadGeometry"/>).</summary>
    ZeroPad,
    /// <summary>A strided 1x1 convolution, with a norm after it in post-activation blocks.</summary>
    Projection,
}

/// <summary>
/// Option A's geometry: the identity subsampled by <see cref="Stride"/> (every stride-th row and column from the first),
/// with <see cref="Before"/> zero channels padded before the input's channels and <see cref="After"/> after them.
/// </summary>
/// <param name="Stride">The spatial subsampling step.</param>
/// <param name="Before">Zero channels before the input's.</param>
/// <param name="After">Zero channels after the input's.</param>
public readonly record struct ZeroPadGeometry(long Stride, long Before, long After)
{
    /// <summary>The geometry from <paramref name="inPlanes"/> to <paramref name="outPlanes"/> channels, the extra ones split evenly (the rounding-down half before).</summary>
    public static ZeroPadGeometry Of(long inPlanes, long outPlanes, long stride)
    {
        if (outPlanes < inPlanes) throw new ResNetSharpException($"a zero-padded shortcut cannot reduce channels ({inPlanes} to {outPlanes}): use a projection shortcut.");
        long before = (outPlanes - inPlanes) / 2;
        return new(stride, before, outPlanes - inPlanes - before);
    }
}

/// <summary>The skip path of a <see cref="BlockPlan"/>.</summary>
/// <param name="Path">Which skip path.</param>
/// <param name="Module">The module path of the shortcut module (<c>downsample</c>) for zero-pad and projection paths, else null.</param>
/// <param name="Conv">The projection's convolution (<c>downsample.0</c>), else null.</param>
/// <param name="Norm">The projection's norm (<c>downsample.1</c>) where it has one, else null.</param>
/// <param name="FromPreActivated">Whether the shortcut module sees the pre-activated input <c>relu(PreNorm(x))</c> rather
/// than the block input (pre-activation projections do; an identity skip always carries the block input).</param>
/// <param name="ZeroPad">Option A's geometry for the zero-pad path, else null.</param>
public sealed record ShortcutPlan(ShortcutPath Path, string? Module = null, string? Conv = null, string? Norm = null,
    bool FromPreActivated = false, ZeroPadGeometry? ZeroPad = null)
{
    /// <summary>No skip path (a plain block).</summary>
    public static readonly ShortcutPlan None = new(ShortcutPath.None);

    /// <summary>The identity skip path.</summary>
    public static readonly ShortcutPlan Identity = new(ShortcutPath.Identity);
}
