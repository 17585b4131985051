using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace ResNetSharp.Runtime.Kernels;

/// <summary>
/// The autograd function behind <see cref="FusedBatchNorm"/>: arguments (x, skip or null, weight, bias, the
/// BatchNorm2d). It saves x (and the output, whose sign is the ReLU's mask, when there is a skip) and the per-channel
/// mean and scale; the backward pass returns the gradients of x, the skip, the weight and the bias.
/// </summary>
internal sealed unsafe class BatchNormReluFunction : SingleTensorFunction<BatchNormReluFunction>
{
    private const string StateKey = "state";

    /// <inheritdoc/>
    public override string Name => nameof(BatchNormReluFunction);

    /// <summary>What the backward pass needs per channel besides the saved tensors.</summary>
    private sealed record State(float[] Mean, float[] InvStd, float[] Scale, float[] Shift, float[] Weight, bool HasSkip);

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
        var state = new State(new float[channels], new float[channels], new float[channels], new float[channels], weight, skip is not null);
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
        return y;
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
        var sums = new double[threads * 2 * channels];
        fixed (float* pMean = state.Mean)
        fixed (float* pScale = state.Scale)
        fixed (float* pShift = state.Shift)
        fixed (double* pSums = sums)
        {
            var args = new BatchNormReluArgs
            {
                X = Data(x), Y = y is null ? null : Data(y), GradY = Data(dy), GradResidual = gradSkip is null ? null : Data(gradSkip),
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
                X = Data(x), GradY = Data(dy), GradX = Data(gradX), GradResidual = gradSkip is null ? null : Data(gradSkip),
                Scale = pScale, Shift = pShift, A = pA, B = pB, C = pC, Rows = rows, Channels = channels,
            };
            OpenMp.Run(&BatchNormReluKernels.GradInput, &args, threads);
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
