namespace ResNetSharp.Models.Blocks;

/// <summary>
/// One step of a residual branch: the convolution <see cref="Conv"/>, then the norm <see cref="Norm"/> (when not null),
/// then a ReLU (when <see cref="Relu"/>). Names are module paths inside the block, which are also its state_dict
/// prefixes (<c>conv1</c>, <c>bn1</c>, <c>downsample.0</c>).
/// </summary>
/// <param name="Conv">The convolution's module path.</param>
/// <param name="Norm">The module path of the norm that follows the convolution (a <c>BatchNorm2d</c>, or an identity where
/// the network has no normalisation), or null when none follows.</param>
/// <param name="Relu">Whether a ReLU follows.</param>
public sealed record ConvStep(string Conv, string? Norm, bool Relu);

/// <summary>
/// The one declarative description of a residual block, which the eager forward pass (<see cref="ResidualBlock"/>),
/// the ONNX exporter, the fused inference path and any other backend follow. In order, a block computes:
/// <list type="number">
/// <item><c>pre = relu(PreNorm(x))</c> when <see cref="PreNorm"/> is set (pre-activation blocks), else <c>pre = x</c>;</item>
/// <item><c>y = pre</c>, then each <see cref="Branch"/> step: <c>y = Conv(y)</c>, <c>y = Norm(y)</c>, <c>y = relu(y)</c>;</item>
/// <item><c>y = y + skip</c>, where <see cref="Shortcut"/> computes <c>skip</c> (no add for a plain block);</item>
/// <item><c>y = relu(y)</c> when <see cref="ReluAfterAdd"/> (post-activation blocks).</item>
/// </list>
/// In training, stochastic depth scales or drops the branch before the add. Every module path names a child of the
/// block; a backend resolves it with <see cref="ResidualBlock.Layer"/> and finds the state_dict entries under
/// <c>{block path}.{module path}.weight</c> and so on.
/// </summary>
/// <param name="PreNorm">The module path of the norm applied, with a ReLU, to the block input first; null for post-activation blocks.</param>
/// <param name="Branch">The residual branch's convolutions, in order.</param>
/// <param name="Shortcut">The skip path.</param>
/// <param name="ReluAfterAdd">Whether a ReLU follows the add.</param>
/// <param name="Activation">The module path of the block's ReLU module, which the eager pass calls for every ReLU.</param>
public sealed record BlockPlan(string? PreNorm, IReadOnlyList<ConvStep> Branch, ShortcutPlan Shortcut, bool ReluAfterAdd, string Activation = "relu")
{
    /// <summary>
    /// A post-activation block of <paramref name="convs"/> convolutions: <c>conv{i}</c> then <c>bn{i}</c>, a ReLU after
    /// each but the last, and a ReLU after the add (torchvision's BasicBlock and Bottleneck).
    /// </summary>
    public static BlockPlan PostActivation(int convs, ShortcutPlan shortcut) => new(null,
        [.. Enumerable.Range(1, convs).Select(i => new ConvStep($"conv{i}", $"bn{i}", Relu: i < convs))], shortcut, ReluAfterAdd: true);

    /// <summary>
    /// A pre-activation block of <paramref name="convs"/> convolutions (He et al. 2016): <c>bn1</c> and a ReLU first,
    /// then <c>conv{i}</c> each followed by <c>bn{i+1}</c> and a ReLU but the last, which feeds the add directly.
    /// </summary>
    public static BlockPlan PreActivation(int convs, ShortcutPlan shortcut) => new("bn1",
        [.. Enumerable.Range(1, convs).Select(i => i < convs ? new ConvStep($"conv{i}", $"bn{i + 1}", Relu: true) : new ConvStep($"conv{i}", null, Relu: false))],
        shortcut, ReluAfterAdd: false);
}
