using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Augment;

/// <summary>One round of a policy over a batch: image i gets <c>Ops[i]</c> at signed magnitude <c>Magnitudes[i]</c>.</summary>
internal sealed record PolicyStep(AugmentOp[] Ops, double[] Magnitudes);

/// <summary>
/// A random augmentation policy of torchvision 0.14, applied per image to uint8 batches [B,C,H,W] before
/// normalisation, as torchvision applies it to each uint8 image before ToTensor. The draws come from a seeded torch
/// generator (the same distribution as torchvision's, not its random stream); each step's images are grouped by op
/// and each group is transformed as one batch.
/// </summary>
public abstract record AugmentPolicy
{
    /// <summary>Draws each image's ops for a batch of <paramref name="count"/> height × width images.</summary>
    internal abstract IReadOnlyList<PolicyStep> Sample(int count, long height, long width, Generator generator);

    /// <summary>The augmented batch (new tensors; <paramref name="images"/> is left as it is).</summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        using var scope = NewDisposeScope();
        var x = images.alias();
        foreach (var step in Sample((int)images.shape[0], images.shape[2], images.shape[3], generator))
            x = Apply(x, step);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Applies one step: the images of each op (Identity left out) gathered, transformed and put back.</summary>
    private static Tensor Apply(Tensor images, PolicyStep step)
    {
        var result = images.clone();
        foreach (var group in step.Ops.Select((op, i) => (Op: op, Index: i)).Where(s => s.Op != AugmentOp.Identity).GroupBy(s => s.Op))
        {
            var index = tensor(group.Select(s => (long)s.Index).ToArray(), device: images.device);
            var changed = AugmentOps.Apply(group.Key, images.index_select(0, index), [.. group.Select(s => step.Magnitudes[s.Index])]);
            result.index_copy_(0, index, changed);
        }
        return result;
    }

    /// <summary><paramref name="columns"/> uniform draws in [0, 1) for each of <paramref name="count"/> images, row-major.</summary>
    private protected static float[] Uniforms(int count, int columns, Generator generator)
    {
        using var draws = rand([count, columns], generator: generator);
        return draws.data<float>().ToArray();
    }

    /// <summary>A uniform index below <paramref name="n"/> from a draw in [0, 1).</summary>
    private protected static int Pick(float u, int n) => Math.Min(n - 1, (int)(u * n));

    /// <summary>The magnitude negated with probability 1/2 (draw below 1/2) where the op is signed.</summary>
    private protected static double Sign(AugmentOp op, double magnitude, float u) => AugmentSpace.Signed(op) && u < 0.5f ? -magnitude : magnitude;
}

/// <summary>
/// TrivialAugmentWide (Müller &amp; Hutter 2021): one op per image, uniform among 14, at a uniform magnitude bin of 31 of
/// the wide space, sign uniform. The ImageNet ResNet-50 recipe of torchvision uses it.
/// </summary>
public sealed record TrivialAugmentWide : AugmentPolicy
{
    /// <summary>torchvision's <c>num_magnitude_bins</c>.</summary>
    public const int Bins = 31;

    internal override IReadOnlyList<PolicyStep> Sample(int count, long height, long width, Generator generator)
    {
        var u = Uniforms(count, 3, generator);
        var space = AugmentSpace.Table(Bins, height, width, wide: true);
        var ops = new AugmentOp[count];
        var magnitudes = new double[count];
        for (int i = 0; i < count; i++)
        {
            var op = ops[i] = AugmentSpace.RandomOps[Pick(u[3 * i], AugmentSpace.RandomOps.Length)];
            var bins = space[op];
            magnitudes[i] = bins.Length == 0 ? 0 : Sign(op, bins[Pick(u[3 * i + 1], bins.Length)], u[3 * i + 2]);
        }
        return [new PolicyStep(ops, magnitudes)];
    }

    /// <summary>The text form <see cref="Augmentation.Parse"/> reads.</summary>
    public override string ToString() => "trivialaugment";
}

/// <summary>
/// RandAugment (Cubuk et al. 2020): <see cref="Ops"/> rounds, each image taking an op uniform among 14 at magnitude
/// bin <see cref="Magnitude"/> of 31 of the standard space, sign uniform (torchvision's defaults: 2 ops, bin 9).
/// </summary>
public sealed record RandAugment : AugmentPolicy
{
    /// <summary>torchvision's <c>num_magnitude_bins</c>.</summary>
    public const int Bins = 31;

    /// <summary>The most ops per image: more would only cost time (the paper uses 1–3).</summary>
    public const int MaxOps = 10;

    /// <summary>The policy; a round count outside 1–<see cref="MaxOps"/> or a bin outside 0–30 is a clear error.</summary>
    public RandAugment(int ops = 2, int magnitude = 9)
    {
        if (ops is < 1 or > MaxOps || magnitude is < 0 or >= Bins)
            throw new ResNetSharpException($"randaugment={ops}:{magnitude} is out of range: use randaugment=N:M with N in 1–{MaxOps} ops and a magnitude M in 0–{Bins - 1} (torchvision's default 2:9).");
        Ops = ops;
        Magnitude = magnitude;
    }

    /// <summary>The ops applied to each image, one after the other.</summary>
    public int Ops { get; }

    /// <summary>The magnitude bin, 0–30, of every op.</summary>
    public int Magnitude { get; }

    internal override IReadOnlyList<PolicyStep> Sample(int count, long height, long width, Generator generator)
    {
        var space = AugmentSpace.Table(Bins, height, width, wide: false);
        var steps = new List<PolicyStep>(Ops);
        for (int s = 0; s < Ops; s++)
        {
            var u = Uniforms(count, 2, generator);
            var ops = new AugmentOp[count];
            var magnitudes = new double[count];
            for (int i = 0; i < count; i++)
            {
                var op = ops[i] = AugmentSpace.RandomOps[Pick(u[2 * i], AugmentSpace.RandomOps.Length)];
                var bins = space[op];
                magnitudes[i] = bins.Length == 0 ? 0 : Sign(op, bins[Magnitude], u[2 * i + 1]);
            }
            steps.Add(new PolicyStep(ops, magnitudes));
        }
        return steps;
    }

    /// <summary>The text form <see cref="Augmentation.Parse"/> reads.</summary>
    public override string ToString() => $"randaugment={Ops}:{Magnitude}";
}

/// <summary>
/// AutoAugment (Cubuk et al. 2019) with a learned policy: each image takes one of 25 sub-policies uniformly and runs
/// its two steps, each with its own probability, at its magnitude bin of 10 of the standard space, sign uniform.
/// </summary>
public sealed record AutoAugment(AutoAugmentDataset Dataset = AutoAugmentDataset.ImageNet) : AugmentPolicy
{
    /// <summary>The magnitude bins AutoAugment's tables index.</summary>
    public const int Bins = 10;

    internal override IReadOnlyList<PolicyStep> Sample(int count, long height, long width, Generator generator)
    {
        var table = AutoAugmentPolicies.For(Dataset);
        var space = AugmentSpace.Table(Bins, height, width, wide: false);
        var u = Uniforms(count, 5, generator);
        var steps = new[] { new PolicyStep(new AugmentOp[count], new double[count]), new PolicyStep(new AugmentOp[count], new double[count]) };
        for (int i = 0; i < count; i++)
        {
            var policy = table[Pick(u[5 * i], table.Length)];
            for (int s = 0; s < 2; s++)
            {
                var (op, probability, bin) = policy[s];
                if (u[5 * i + 1 + s] > probability) continue;   // Identity, magnitude 0
                steps[s].Ops[i] = op;
                steps[s].Magnitudes[i] = bin is int b ? Sign(op, space[op][b], u[5 * i + 3 + s]) : 0;
            }
        }
        return steps;
    }

    /// <summary>The text form <see cref="Augmentation.Parse"/> reads.</summary>
    public override string ToString() => $"autoaugment={Dataset.ToString().ToLowerInvariant()}";
}
