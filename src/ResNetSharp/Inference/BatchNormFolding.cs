using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Inference;

/// <summary>
/// Folds an eval-mode batch norm into the convolution before it: with <c>s = gamma / sqrt(running_var + eps)</c>,
/// <c>bn(conv(x)) = conv'(x)</c> where <c>W' = W * s</c> (per output channel) and <c>b' = beta + (b - running_mean) * s</c>.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// The folded fp32 weight and bias of <paramref name="conv"/> followed by <paramref name="norm"/>, which is a
    /// <c>BatchNorm2d</c> or an identity (no normalisation: the conv's own weight and bias, or a zero bias).
    /// </summary>
    public static (Tensor Weight, Tensor Bias) Fold(TorchSharp.Modules.Conv2d conv, nn.Module norm)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var w = conv.weight.to(ScalarType.Float32);
        var b = conv.bias?.to(ScalarType.Float32) ?? zeros(conv.out_channels, dtype: ScalarType.Float32, device: w.device);
        switch (norm)
        {
            case TorchSharp.Modules.BatchNorm2d bn:
            {
                if (bn.running_mean is null || bn.running_var is null)
                    throw new ResNetSharpException("cannot fold a batch norm without running statistics: build the model with track_running_stats.");
                var scale = bn.running_var.to(ScalarType.Float32).add(bn.eps).rsqrt();
                if (bn.weight is not null) scale = scale.mul(bn.weight);
                var shift = b.sub(bn.running_mean);
                var bias = shift.mul(scale);
                if (bn.bias is not null) bias = bias.add(bn.bias);
                return (w.mul(scale.view(-1, 1, 1, 1)).contiguous().MoveToOuterDisposeScope(), bias.MoveToOuterDisposeScope());
            }
            case TorchSharp.Modules.Identity:
                return (w.clone().MoveToOuterDisposeScope(), b.clone().MoveToOuterDisposeScope());
            default:
                throw new ResNetSharpException($"cannot fold a {norm.GetType().Name} into a convolution: only BatchNorm2d (or no normalisation) can be folded.");
        }
    }
}
