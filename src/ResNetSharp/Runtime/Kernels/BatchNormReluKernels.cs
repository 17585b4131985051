using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ResNetSharp.Runtime.Kernels;

/// <summary>
/// The arguments of <see cref="BatchNormReluKernels"/>: bf16 tensors in channels_last order, seen as
/// <see cref="Rows"/> rows (N·H·W) of <see cref="Channels"/> contiguous channels, and per-channel float vectors.
/// </summary>
internal unsafe struct BatchNormReluArgs
{
    /// <summary>The batch norm's input.</summary>
    public ushort* X;
    /// <summary>The output; in the backward pass of the add variant, the saved output (its ReLU mask).</summary>
    public ushort* Y;
    /// <summary>The skip added before the ReLU, or null.</summary>
    public ushort* Residual;
    /// <summary>The gradient of the output.</summary>
    public ushort* GradY;
    /// <summary>A second gradient of the output, added to <see cref="GradY"/> (the one a later block's skip deferred), or null.</summary>
    public ushort* GradYDeferred;
    /// <summary>The gradient of the input, written by <see cref="BatchNormReluKernels.GradInput"/>.</summary>
    public ushort* GradX;
    /// <summary>The gradient after the ReLU's mask, which is also the skip's gradient; null without a skip.</summary>
    public ushort* GradResidual;
    /// <summary>The affine map of the forward pass: <c>y = relu(x·Scale + Shift [+ skip])</c>.</summary>
    public float* Scale, Shift;
    /// <summary>Subtracted from x before the sums (a sample of the batch for the moments; the mean for the gradients).</summary>
    public float* Center;
    /// <summary>The backward map: <c>dx = A·dz + B·x + C</c>.</summary>
    public float* A, B, C;
    /// <summary>Per thread, 2·<see cref="Channels"/> doubles: the channel sums, then the second sums.</summary>
    public double* Sums;
    /// <summary>Rows of channels.</summary>
    public long Rows;
    /// <summary>Channels, a multiple of 16.</summary>
    public int Channels;
}

/// <summary>
/// The four passes of a batch norm fused with its ReLU (and with a residual add before the ReLU), on bf16 channels_last
/// tensors, 16 channels to a vector; each thread takes a contiguous range of rows. Sums are kept in float over 256
/// rows and then added in double, per thread; the caller adds the threads' sums up.
/// </summary>
internal static unsafe class BatchNormReluKernels
{
    private const int Block = 256;

    /// <summary>Forward, first pass: per channel, the sum of <c>x − Center</c> and of its square.</summary>
    public static void Moments(void* args, int thread, int threads) => Sums<MomentSums>((BatchNormReluArgs*)args, thread, threads);

    /// <summary>Forward, second pass: <c>y = relu(x·Scale + Shift [+ Residual])</c>.</summary>
    public static void Forward(void* args, int thread, int threads) => Map<Normalize>((BatchNormReluArgs*)args, thread, threads);

    /// <summary>
    /// Backward, first pass (dy is GradY plus GradYDeferred): <c>dz = dy</c> where the output is positive, else 0, stored in GradResidual when there is a
    /// skip; per channel, the sum of dz and of <c>dz·(x − Center)</c>.
    /// </summary>
    public static void GradSums(void* args, int thread, int threads) => Sums<GradientSums>((BatchNormReluArgs*)args, thread, threads);

    /// <summary>Backward, second pass: <c>dx = A·dz + B·x + C</c>.</summary>
    public static void GradInput(void* args, int thread, int threads) => Map<InputGradient>((BatchNormReluArgs*)args, thread, threads);

    /// <summary>One vector of 16 channels of an element-wise pass.</summary>
    private interface IMap
    {
        static abstract void Apply(BatchNormReluArgs* a, long offset, int channel);
    }

    private readonly struct Normalize : IMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(BatchNormReluArgs* a, long offset, int channel)
        {
            var z = Vector512.FusedMultiplyAdd(Bf16.Load(a->X + offset), Vector512.Load(a->Scale + channel), Vector512.Load(a->Shift + channel));
            if (a->Residual != null) z += Bf16.Load(a->Residual + offset);
            Bf16.Store(a->Y + offset, Vector512.Max(z, Vector512<float>.Zero));
        }
    }

    private readonly struct InputGradient : IMap
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(BatchNormReluArgs* a, long offset, int channel)
        {
            var x = Bf16.Load(a->X + offset);
            var dz = a->GradResidual != null ? Bf16.Load(a->GradResidual + offset) : MaskedGrad(a, x, offset, channel);
            var dx = Vector512.FusedMultiplyAdd(Vector512.Load(a->A + channel), dz, Vector512.FusedMultiplyAdd(Vector512.Load(a->B + channel), x, Vector512.Load(a->C + channel)));
            Bf16.Store(a->GradX + offset, dx);
        }
    }

    /// <summary>
    /// An element-wise pass over each thread's rows, 16 channels at a time; with 16, 32 or 64 channels (which repeat
    /// every 64 values), four vectors at a time across rows.
    /// </summary>
    private static void Map<T>(BatchNormReluArgs* a, int thread, int threads) where T : struct, IMap
    {
        var (first, end) = Share(a->Rows, thread, threads);
        int channels = a->Channels;
        long o = first * channels, stop = end * channels;
        if (64 % channels == 0)
        {
            int c1 = 16 % channels, c2 = 32 % channels, c3 = 48 % channels;
            for (; o + 64 <= stop; o += 64)
            {
                T.Apply(a, o, 0);
                T.Apply(a, o + 16, c1);
                T.Apply(a, o + 32, c2);
                T.Apply(a, o + 48, c3);
            }
            for (int c = 0; o < stop; o += 16, c = (c + 16) % channels) T.Apply(a, o, c);
            return;
        }
        for (; o < stop; o += channels)
            for (int c = 0; c < channels; c += 16)
                T.Apply(a, o + c, c);
    }

    /// <summary>One vector of 16 channels' contribution to a pass's two sums.</summary>
    private interface ISums
    {
        static abstract void Add(BatchNormReluArgs* a, long offset, int channel, ref Vector512<float> first, ref Vector512<float> second);
    }

    private readonly struct MomentSums : ISums
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(BatchNormReluArgs* a, long offset, int channel, ref Vector512<float> first, ref Vector512<float> second)
        {
            var d = Bf16.Load(a->X + offset) - Vector512.Load(a->Center + channel);
            first += d;
            second = Vector512.FusedMultiplyAdd(d, d, second);
        }
    }

    private readonly struct GradientSums : ISums
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(BatchNormReluArgs* a, long offset, int channel, ref Vector512<float> first, ref Vector512<float> second)
        {
            var x = Bf16.Load(a->X + offset);
            Vector512<float> dz;
            if (a->GradResidual != null)
            {
                dz = Grad(a, offset) & Vector512.GreaterThan(Bf16.Load(a->Y + offset), Vector512<float>.Zero);
                Bf16.Store(a->GradResidual + offset, dz);
            }
            else dz = MaskedGrad(a, x, offset, channel);
            first += dz;
            second = Vector512.FusedMultiplyAdd(dz, x - Vector512.Load(a->Center + channel), second);
        }
    }

    /// <summary>
    /// A pass that sums per channel over each thread's rows, in float over <see cref="Block"/> rows and then in double
    /// into the thread's <see cref="BatchNormReluArgs.Sums"/>, four vectors in registers: with 16, 32 or 64 channels
    /// (which repeat every 64 values) four consecutive vectors across rows, else 64 channels of a row at a time.
    /// </summary>
    private static void Sums<T>(BatchNormReluArgs* a, int thread, int threads) where T : struct, ISums
    {
        var (first, end) = Share(a->Rows, thread, threads);
        int channels = a->Channels;
        double* sums = a->Sums + (long)thread * 2 * channels;
        if (64 % channels == 0)
        {
            int c1 = 16 % channels, c2 = 32 % channels, c3 = 48 % channels;
            for (long r = first; r < end; r += Block)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, q0 = default, q1 = default, q2 = default, q3 = default;
                long o = r * channels, stop = Math.Min(r + Block, end) * channels;
                for (; o + 64 <= stop; o += 64)
                {
                    T.Add(a, o, 0, ref s0, ref q0);
                    T.Add(a, o + 16, c1, ref s1, ref q1);
                    T.Add(a, o + 32, c2, ref s2, ref q2);
                    T.Add(a, o + 48, c3, ref s3, ref q3);
                }
                if (o < stop) T.Add(a, o, 0, ref s0, ref q0);   // whole rows are left: fewer than 64 values
                if (o + 16 < stop) T.Add(a, o + 16, c1, ref s1, ref q1);
                if (o + 32 < stop) T.Add(a, o + 32, c2, ref s2, ref q2);
                AddAt(sums, s0, s1, s2, s3, c1, c2, c3);
                AddAt(sums + channels, q0, q1, q2, q3, c1, c2, c3);
            }
            return;
        }
        for (int c0 = 0; c0 < channels; c0 += 64)
        {
            int k = Math.Min(64, channels - c0) / 16;
            for (long r = first; r < end; r += Block)
            {
                Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, q0 = default, q1 = default, q2 = default, q3 = default;
                for (long i = r, stop = Math.Min(r + Block, end); i < stop; i++)
                {
                    long o = i * channels + c0;
                    T.Add(a, o, c0, ref s0, ref q0);
                    if (k > 1) T.Add(a, o + 16, c0 + 16, ref s1, ref q1);
                    if (k > 2) T.Add(a, o + 32, c0 + 32, ref s2, ref q2);
                    if (k > 3) T.Add(a, o + 48, c0 + 48, ref s3, ref q3);
                }
                Add(sums + c0, k, s0, s1, s2, s3);
                Add(sums + channels + c0, k, q0, q1, q2, q3);
            }
        }
    }

    /// <summary>dy where the forward pass's <c>x·Scale + Shift</c> was positive (the variant without a skip), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> MaskedGrad(BatchNormReluArgs* a, Vector512<float> x, long o, int c) =>
        Grad(a, o) & Vector512.GreaterThan(Vector512.FusedMultiplyAdd(x, Vector512.Load(a->Scale + c), Vector512.Load(a->Shift + c)), Vector512<float>.Zero);

    /// <summary>The output's gradient: GradY, plus GradYDeferred when there is one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Grad(BatchNormReluArgs* a, long o) =>
        a->GradYDeferred == null ? Bf16.Load(a->GradY + o) : Bf16.Load(a->GradY + o) + Bf16.Load(a->GradYDeferred + o);

    private static (long First, long End) Share(long rows, int thread, int threads) => (rows * thread / threads, rows * (thread + 1) / threads);

    private static void Add(double* sums, int k, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        for (int i = 0; i < 16; i++)
        {
            sums[i] += v0[i];
            if (k > 1) sums[16 + i] += v1[i];
            if (k > 2) sums[32 + i] += v2[i];
            if (k > 3) sums[48 + i] += v3[i];
        }
    }

    /// <summary>Adds four vectors to the sums of the channels they start at (0, c1, c2 and c3).</summary>
    private static void AddAt(double* sums, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, int c1, int c2, int c3)
    {
        for (int i = 0; i < 16; i++)
        {
            sums[i] += v0[i];
            sums[c1 + i] += v1[i];
            sums[c2 + i] += v2[i];
            sums[c3 + i] += v3[i];
        }
    }
}
