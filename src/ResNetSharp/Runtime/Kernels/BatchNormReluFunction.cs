using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace ResNetSharp.Runtime.Kernels;

/// <summary>
/// The autograd function behind <see cref="FusedBatchNorm"/>: arguments (x, skip or null, weight, bias, the
/// BatchNorm2d). It saves x (and the output, whose sign is the ReLU's mask, when there is a skip) and the per-channel
/// mean and scale; the backward pass returns the gradients of x, the skip, the weight and the bias.
/// <para>
/// Within <see cref="FusedBatchNorm.DeferSkipGradients"/>, a skip that is the output of an earlier application on this
/// thread (an identity shortcut: the block's input came from the previous block's fused norm, or from the stem's)
/// defers its gradient: instead of returning it, for autograd to add to the gradient that reaches that output through
/// the block's first convolution (a pass over memory), the backward pass hands it to the earlier application, whose
/// kernels read both gradients. Autograd runs this backward before the earlier one, since the skip is an input here.
/// </para>
/// </summary>
internal sealed unsafe class BatchNormReluFunction : SingleTensorFunction<BatchNormReluFunction>
{
    private const string StateKey = "state";

    /// <inheritdoc/>
    public override string Name => nameof(BatchNormReluFunction);

    /// <summary>How many recent outputs per thread a skip is matched against (a block's input is two applications back).</summary>
    private const int Recent = 4;

    /// <summary>This thread's recent outputs, newest first: aliases outside the graph, which also keep the memory from reuse.</summary>
    [ThreadStatic] private static (Tensor Output, State State)[]? _recent;

    /// <summary>What the backward pass needs per channel besides the saved tensors.</summary>
    private sealed record State(float[] Mean, float[] InvStd, float[] Scale, float[] Shift, float[] Weight, bool HasSkip)
    {
        /// <summary>The earlier application whose output is the skip, which takes the skip's gradient; null: autograd takes it.</summary>
        public State? SkipSource { get; init; }

        /// <summary>Whether a later application took this output as its skip (one may).</summary>
        public bool Claimed { get; set; }

        /// <summary>The gradient of this output that a later application's skip deferred, until this backward pass reads it.</summary>
        public Tensor? Deferred { get; set; }
    }

    /// <inheritdoc/>
    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var (x, skip, norm) = ((Tensor)vars[0], vars[1] as Tensor, (BatchNorm2d)vars[4]);
        int channels = (int)x.shape[1];
        long rows = x.numel() / channels;
        int threads = OpenMp.Threads(x.numel());
        var center = FirstRow(x, channels);
        var sums = new double[threads * 2 * channels];
        fixed (float* pCenter = center)
        fixed (double* pSums = sums)
        {
            var args = new BatchNormReluArgs { X = Data(x), Center = pCenter, Sums = pSums, Rows = rows, Channels = channels };
            OpenMp.Run(&BatchNormReluKernels.Moments, &args, threads);
        }

        var weight = Floats(norm.weight!, channels);
        var bias = (float*)TensorMemory.Address(norm.bias!);
        var state = new State(new float[channels], new float[channels], new float[channels], new float[channels], weight, skip is not null)
        {
            SkipSource = skip is null ? null : Claim(skip),
        };
        var biasedVar = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            var (sum, squares) = Total(sums, threads, channels, c);
            double offset = sum / rows;
            biasedVar[c] = Math.Max(squares / rows - offset * offset, 0);
            state.Mean[c] = (float)(center[c] + offset);
            state.InvStd[c] = (float)(1 / Math.Sqrt(biasedVar[c] + norm.eps));
            state.Scale[c] = weight[c] * state.InvStd[c];
            state.Shift[c] = bias[c] - state.Mean[c] * state.Scale[c];
        }
        UpdateRunningStatistics(norm, state.Mean, biasedVar, rows);

        var y = empty_like(x);
        fixed (float* pScale = state.Scale)
        fixed (float* pShift = state.Shift)
        {
            var args = new BatchNormReluArgs
            {
                X = Data(x), Y = Data(y), Residual = skip is null ? null : Data(skip),
                Scale = pScale, Shift = pShift, Rows = rows, Channels = channels,
            };
            OpenMp.Run(&BatchNormReluKernels.Forward, &args, threads);
        }
        ctx.save_for_backward(skip is null ? [x] : [x, y]);
        ctx.save_data(StateKey, state);
        Remember(y, state);
        return y;
    }

    /// <summary>
    /// The state of the recent application whose output <paramref name="skip"/> is (the same memory, shape and strides,
    /// reached through the graph: not a leaf), claimed for its gradient; null when there is none or it is claimed.
    /// </summary>
    private static State? Claim(Tensor skip)
    {
        if (_recent is null || !FusedBatchNorm.DefersSkipGradients || !skip.requires_grad || skip.is_leaf) return null;
        foreach (var (output, state) in _recent)
        {
            if (output is null || state.Claimed || Data(output) != Data(skip) || !output.shape.SequenceEqual(skip.shape) || !output.stride().SequenceEqual(skip.stride())) continue;
            state.Claimed = true;
            return state;
        }
        return null;
    }

    /// <summary>Adds an output to this thread's recent ones, dropping the oldest, while skips defer their gradients.</summary>
    private static void Remember(Tensor y, State state)
    {
        if (!FusedBatchNorm.DefersSkipGradients) return;
        _recent ??= new (Tensor, State)[Recent];
        _recent[^1].Output?.Dispose();
        Array.Copy(_recent, 0, _recent, 1, Recent - 1);
        _recent[0] = (y.detach().DetachFromDisposeScope(), state);
    }

    /// <summary>Drops this thread's recent outputs (when the deferring scope ends).</summary>
    internal static void ForgetOutputs()
    {
        if (_recent is null) return;
        foreach (var (output, _) in _recent) output?.Dispose();
        _recent = null;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(AutogradContext ctx, Tensor grad)
    {
        var state = (State)ctx.get_data(StateKey);
        var saved = ctx.get_saved_variables();
        using var x = saved[0];
        using var y = state.HasSkip ? saved[1] : null;
        using var converted = grad.dtype == ScalarType.BFloat16 && ChannelsLast.IsChannelsLast(grad) ? null : ChannelsLast.Convert(grad.to(ScalarType.BFloat16));
        var dy = converted ?? grad;
        int channels = (int)x.shape[1];
        long rows = x.numel() / channels;
        int threads = OpenMp.Threads(x.numel());
        var gradSkip = state.HasSkip ? empty_like(x) : null;
        using var deferred = state.Deferred;
        state.Deferred = null;
        var sums = new double[threads * 2 * channels];
        fixed (float* pMean = state.Mean)
        fixed (float* pScale = state.Scale)
        fixed (float* pShift = state.Shift)
        fixed (double* pSums = sums)
        {
            var args = new BatchNormReluArgs
            {
                X = Data(x), Y = y is null ? null : Data(y), GradY = Data(dy), GradYDeferred = deferred is null ? null : Data(deferred), GradResidual = gradSkip is null ? null : Data(gradSkip),
                Scale = pScale, Shift = pShift, Center = pMean, Sums = pSums, Rows = rows, Channels = channels,
            };
            OpenMp.Run(&BatchNormReluKernels.GradSums, &args, threads);
        }

        var (a, b, c0, gradWeight, gradBias) = (new float[channels], new float[channels], new float[channels], new float[channels], new float[channels]);
        for (int c = 0; c < channels; c++)
        {
            var (sum, products) = Total(sums, threads, channels, c);
            double invStd = state.InvStd[c], dBias = sum, dWeight = products * invStd, k = state.Weight[c] * invStd;
            a[c] = (float)k;
            b[c] = (float)(-k * invStd * dWeight / rows);
            c0[c] = (float)(-k * dBias / rows + k * invStd * dWeight / rows * state.Mean[c]);
            gradWeight[c] = (float)dWeight;
            gradBias[c] = (float)dBias;
        }
        var gradX = empty_like(x);
        fixed (float* pA = a)
        fixed (float* pB = b)
        fixed (float* pC = c0)
        fixed (float* pScale = state.Scale)
        fixed (float* pShift = state.Shift)
        {
            var args = new BatchNormReluArgs
            {
                X = Data(x), GradY = Data(dy), GradYDeferred = deferred is null ? null : Data(deferred), GradX = Data(gradX), GradResidual = gradSkip is null ? null : Data(gradSkip),
                Scale = pScale, Shift = pShift, A = pA, B = pB, C = pC, Rows = rows, Channels = channels,
            };
            OpenMp.Run(&BatchNormReluKernels.GradInput, &args, threads);
        }
        if (state.SkipSource is { } source && gradSkip is not null)
        {
            source.Deferred = gradSkip.DetachFromDisposeScope();
            gradSkip = null;
        }
        return [gradX, gradSkip!, tensor(gradWeight), tensor(gradBias), null!];
    }

    /// <summary>Updates running_mean, running_var (unbiased) and num_batches_tracked as BatchNorm2d does in training.</summary>
    private static void UpdateRunningStatistics(BatchNorm2d norm, float[] mean, double[] biasedVar, long rows)
    {
        double factor = norm.momentum ?? 0;
        if (norm.num_batches_tracked is { } tracked)
        {
            var count = (long*)TensorMemory.Address(tracked);
            *count += 1;
            if (norm.momentum is null) factor = 1.0 / *count;
        }
        var runningMean = (float*)TensorMemory.Address(norm.running_mean!);
        var runningVar = (float*)TensorMemory.Address(norm.running_var!);
        for (int c = 0; c < mean.Length; c++)
        {
            runningMean[c] = (float)((1 - factor) * runningMean[c] + factor * mean[c]);
            runningVar[c] = (float)((1 - factor) * runningVar[c] + factor * biasedVar[c] * rows / (rows - 1));
        }
    }

    private static (double First, double Second) Total(double[] sums, int threads, int channels, int c)
    {
        double first = 0, second = 0;
        for (int t = 0; t < threads; t++)
        {
            first += sums[t * 2 * channels + c];
            second += sums[t * 2 * channels + channels + c];
        }
        return (first, second);
    }

    /// <summary>The first row's channels (the values at n = h = w = 0), the center that keeps the float sums accurate.</summary>
    private static float[] FirstRow(Tensor x, int channels)
    {
        var bits = Data(x);
        var row = new float[channels];
        for (int c = 0; c < channels; c++) row[c] = BitConverter.UInt32BitsToSingle((uint)bits[c] << 16);
        return row;
    }

    private static float[] Floats(Tensor t, int count) => new ReadOnlySpan<float>((void*)TensorMemory.Address(t), count).ToArray();

    private static ushort* Data(Tensor t) => (ushort*)TensorMemory.Address(t);
}
