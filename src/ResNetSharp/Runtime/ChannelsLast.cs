using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>
/// The channels_last (NHWC) memory format, which TorchSharp 0.107 has no API for: reached through a one-line
/// TorchScript function compiled with <c>torch.jit.compile</c>. Convolutions on channels_last inputs and weights use
/// cuDNN's NHWC kernels (the fast ones for bf16 on tensor cores), and their outputs stay channels_last.
/// </summary>
public static class ChannelsLast
{
    // memory_format=2 is torch.channels_last (a compiled string cannot name it); the script must end with a newline.
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def channels_last(x: Tensor) -> Tensor:
            return x.to(memory_format=2)

        """));

    /// <summary>
    /// A channels_last copy of a 4-D tensor (the tensor itself when its strides already are); differentiable. It is
    /// <c>to(memory_format=channels_last)</c>, not <c>contiguous(…)</c>: with one channel, a contiguous tensor counts as
    /// channels_last-contiguous and <c>contiguous</c> would keep its NCHW strides, from which libtorch then runs a
    /// one-channel stem convolution, and everything after it, in NCHW.
    /// </summary>
    public static Tensor Convert(Tensor x)
    {
        if (x.dim() != 4) throw new ResNetSharpException($"channels_last needs a 4-D tensor [N, C, H, W], got [{string.Join(", ", x.shape)}]: pass a batch of images.");
        return Script.Value.invoke<Tensor>("channels_last", x);
    }

    /// <summary>Whether a 4-D tensor's strides are channels_last's: C fastest, then W, H, N.</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var (s, n) = (x.stride(), x.shape);
        return s[1] == 1 && s[3] == n[1] && s[2] == n[1] * n[3] && s[0] == n[1] * n[2] * n[3];
    }

    /// <summary>
    /// Converts every 4-D parameter (convolution weights) of <paramref name="module"/> to channels_last in place, keeping
    /// the parameter objects (an optimizer created before or after still sees them). Returns the module.
    /// </summary>
    public static T Apply<T>(T module) where T : nn.Module
    {
        using var _ = no_grad();
        foreach (var p in module.parameters())
        {
            if (p.dim() != 4 || IsChannelsLast(p)) continue;
            using var converted = Convert(p);
            p.set_(converted);
        }
        return module;
    }
}
