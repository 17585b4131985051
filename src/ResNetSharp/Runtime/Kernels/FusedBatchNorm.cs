using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime.Kernels;

/// <summary>
/// Batch norm fused with the ReLU after it, and optionally with a residual add before that ReLU
/// (<c>relu(bn(x) + skip)</c>, the end of a post-activation block), for training on the CPU in bf16 channels_last. It
/// makes two passes over memory forward and two backward where ATen makes one or two per op, in AVX-512 kernels (the
/// element-wise kernels of the libtorch that TorchSharp ships are AVX2 builds), on libtorch's own OpenMP threads.
/// Batch statistics, running statistics (the momentum, or the cumulative average when it is null) and
/// num_batches_tracked follow BatchNorm2d in training mode; the gradients are the unfused ops' gradients, computed in
/// float; the output is rounded to bf16 once instead of after each op.
/// <para>
/// The residual blocks and the stem use it where <see cref="Supports"/> says so and call the modules elsewhere:
/// evaluation, fp32, NCHW, the GPU, channel counts that are not multiples of 16, CPUs without AVX-512, and batch norms
/// kept on their module (<see cref="RunAsModule"/>). On the fused path the norm's and the ReLU's module hooks are not called.
/// </para>
/// </summary>
public static class FusedBatchNorm
{
    private static readonly ConditionalWeakTable<BatchNorm2d, object> KeptOnModule = [];

    [ThreadStatic] private static int _deferring;

    /// <summary>
    /// Whether the blocks use the fused path where it applies: true unless the environment variable
    /// <c>RESNETSHARP_FUSED_BN</c> is <c>0</c> (for comparisons); settable for the whole process.
    /// </summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("RESNETSHARP_FUSED_BN") != "0";

    /// <summary>
    /// Keeps <paramref name="norm"/> on its module's forward (or, with <paramref name="keep"/> false, lets it fuse again),
    /// for hooks that must see it run: SyncBatchNorm's.
    /// </summary>
    public static void RunAsModule(BatchNorm2d norm, bool keep = true)
    {
        if (keep) KeptOnModule.AddOrUpdate(norm, norm);
        else KeptOnModule.Remove(norm);
    }

    /// <summary>
    /// Lets identity skips defer their gradients on this thread until the returned scope ends: a skip that is the output
    /// of an earlier fused norm hands its gradient to that norm's backward pass, which adds it in its own kernels,
    /// instead of to autograd, which would add it to the gradient arriving through the block's first convolution in a
    /// pass of its own. Parameter gradients are unchanged, but autograd no longer sees the whole gradient of a block's
    /// output, so the scope must hold only a forward pass and a backward pass over the whole graph (a training step's
    /// <c>loss.backward()</c>), never a gradient taken with respect to an intermediate output.
    /// </summary>
    internal static IDisposable DeferSkipGradients()
    {
        _deferring++;
        return new Deferral();
    }

    /// <summary>Whether identity skips defer their gradients on this thread (<see cref="DeferSkipGradients"/>).</summary>
    internal static bool DefersSkipGradients => _deferring > 0;

    private sealed class Deferral : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (--_deferring == 0) BatchNormReluFunction.ForgetOutputs();
        }
    }

    /// <summary>
    /// Whether <see cref="Apply"/> computes <c>relu(norm(x) [+ skip])</c>: the fused path is enabled, the CPU has
    /// AVX-512 and libtorch's OpenMP was found; <paramref name="norm"/> is a BatchNorm2d in training mode with a weight,
    /// a bias and running statistics (float, contiguous, not kept on its module); <paramref name="x"/> is a bf16
    /// channels_last CPU tensor [N, C, H, W] with C a multiple of 16 and more than one value per channel; and
    /// <paramref name="skip"/>, when given, is a bf16 CPU tensor of x's shape.
    /// </summary>
    public static bool Supports(nn.Module norm, Tensor x, Tensor? skip = null) =>
        Enabled && Vector512.IsHardwareAccelerated && OpenMp.Available
        && norm is BatchNorm2d { training: true, weight: { } w, bias: { } b, running_mean: { } mean, running_var: { } var } bn
        && !KeptOnModule.TryGetValue(bn, out _)
        && IsCpuFloat(w) && IsCpuFloat(b) && IsCpuFloat(mean) && IsCpuFloat(var)
        && x.dim() == 4 && x.dtype == ScalarType.BFloat16 && x.device_type == DeviceType.CPU
        && x.shape[1] == bn.num_features && x.shape[1] % 16 == 0 && x.numel() / x.shape[1] > 1 && ChannelsLast.IsChannelsLast(x)
        && (skip is null || skip.dtype == ScalarType.BFloat16 && skip.device_type == DeviceType.CPU && skip.shape.SequenceEqual(x.shape));

    private static bool IsCpuFloat(Tensor t) => t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

    /// <summary>
    /// <c>relu(norm(x) + skip)</c>, or <c>relu(norm(x))</c> without a skip, in training mode (batch statistics; the
    /// running statistics are updated); differentiable in x, skip, the weight and the bias. Check <see cref="Supports"/> first.
    /// </summary>
    /// <exception cref="ResNetSharpException">The module or the tensors are not ones <see cref="Supports"/> accepts.</exception>
    public static Tensor Apply(BatchNorm2d norm, Tensor x, Tensor? skip = null) => TryApply(norm, x, skip)
        ?? throw new ResNetSharpException($"the fused batch norm does not apply to this module and input ({x.dtype} [{string.Join(", ", x.shape)}] on {x.device}): check FusedBatchNorm.Supports first, or call the module.");

    /// <summary><see cref="Apply"/> where <see cref="Supports"/> holds, else null (call the modules then).</summary>
    internal static Tensor? TryApply(nn.Module norm, Tensor x, Tensor? skip = null)
    {
        if (!Supports(norm, x, skip)) return null;
        using var layout = skip is null || ChannelsLast.IsChannelsLast(skip) ? null : ChannelsLast.Convert(skip);
        return BatchNormReluFunction.apply(x, layout ?? skip!, ((BatchNorm2d)norm).weight!, ((BatchNorm2d)norm).bias!, norm);
    }
}
