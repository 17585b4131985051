using ResNetSharp.Data;
using ResNetSharp.Data.Augment;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data.Augment;

/// <summary>
/// The policies' sampling against torchvision 0.14's definitions, statistically over many images from a fixed seed
/// (tolerances are 5 or more standard deviations), and their application against the ops applied one image at a time.
/// </summary>
public class AugmentPolicyTests
{
    private const int Many = 28_000;

    [Fact]
    public void TrivialAugment_picks_ops_bins_and_signs_uniformly_from_the_wide_space()
    {
        var step = Assert.Single(new TrivialAugmentWide().Sample(Many, 32, 32, new Generator(1)));
        foreach (var op in AugmentSpace.RandomOps)
            Assert.InRange(step.Ops.Count(o => o == op) / (double)Many, 1 / 14.0 - 0.008, 1 / 14.0 + 0.008);
        Assert.DoesNotContain(AugmentOp.Invert, step.Ops);

        var rotations = Magnitudes(step, AugmentOp.Rotate);
        // linspace(0, 135, 31): bins 4.5° apart, every one drawn, uniformly (bin mean 15, sd 8.9 / sqrt(~2000)).
        var bins = rotations.Select(m => Math.Abs(m) / 4.5).ToArray();
        Assert.All(bins, b => Assert.Equal(Math.Round(b), b, 4));
        Assert.Equal(31, bins.Select(b => Math.Round(b)).Distinct().Count());
        Assert.InRange(bins.Average(), 14, 16);
        Assert.InRange(rotations.Count(m => m < 0) / (double)rotations.Length, 0.44, 0.56);
        Assert.Equal(135.0, rotations.Max(Math.Abs), 4);
        Assert.Equal(32.0, Magnitudes(step, AugmentOp.TranslateX).Max(Math.Abs), 4);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], Magnitudes(step, AugmentOp.Posterize).Distinct().Order());
        Assert.All(Magnitudes(step, AugmentOp.Posterize).Concat(Magnitudes(step, AugmentOp.Solarize)), m => Assert.True(m >= 0));
        Assert.All(Magnitudes(step, AugmentOp.Equalize).Concat(Magnitudes(step, AugmentOp.Identity)), m => Assert.Equal(0, m));
    }

    [Fact]
    public void RandAugment_applies_N_uniform_ops_at_magnitude_bin_M_of_the_standard_space()
    {
        var steps = new RandAugment(3, 9).Sample(Many / 4, 24, 32, new Generator(2));
        Assert.Equal(3, steps.Count);
        foreach (var step in steps)
        {
            foreach (var op in AugmentSpace.RandomOps)
                Assert.InRange(step.Ops.Count(o => o == op) / (double)(Many / 4), 1 / 14.0 - 0.016, 1 / 14.0 + 0.016);
            // Bin 9 of 31: 9° (of 30), 0.27 (of 0.9), shear 0.09 (of 0.3), 150/331 · 32 · 9/30 = 4.35 pixels,
            // solarize 255 - 9 · 8.5, posterize 8 - round(9 / 7.5) bits.
            Assert.All(Magnitudes(step, AugmentOp.Rotate), m => Assert.Equal(9.0, Math.Abs(m), 5));
            Assert.All(Magnitudes(step, AugmentOp.Contrast), m => Assert.Equal(0.27, Math.Abs(m), 5));
            Assert.All(Magnitudes(step, AugmentOp.ShearY), m => Assert.Equal(0.09, Math.Abs(m), 5));
            Assert.All(Magnitudes(step, AugmentOp.TranslateX), m => Assert.Equal(150.0 / 331 * 32 * 9 / 30, Math.Abs(m), 4));
            Assert.All(Magnitudes(step, AugmentOp.TranslateY), m => Assert.Equal(150.0 / 331 * 24 * 9 / 30, Math.Abs(m), 4));
            Assert.All(Magnitudes(step, AugmentOp.Solarize), m => Assert.Equal(178.5, m, 4));
            Assert.All(Magnitudes(step, AugmentOp.Posterize), m => Assert.Equal(7, m));
            var signed = step.Magnitudes.Where((_, i) => AugmentSpace.Signed(step.Ops[i])).ToArray();
            Assert.InRange(signed.Count(m => m < 0) / (double)signed.Length, 0.46, 0.54);
        }
    }

    [Theory]
    [InlineData(AutoAugmentDataset.ImageNet)]
    [InlineData(AutoAugmentDataset.Cifar10)]
    [InlineData(AutoAugmentDataset.Svhn)]
    public void AutoAugment_runs_each_sub_policy_step_with_its_probability(AutoAugmentDataset dataset)
    {
        var table = AutoAugmentPolicies.For(dataset);
        Assert.Equal(25, table.Length);
        var steps = new AutoAugment(dataset).Sample(Many, 32, 32, new Generator(3));
        for (int s = 0; s < 2; s++)
            foreach (var op in Enum.GetValues<AugmentOp>().Where(o => o != AugmentOp.Identity))
            {
                // P(step s is op) = Σ over the sub-policies whose step s is op of probability / 25.
                double expected = table.Where(p => p[s].Op == op).Sum(p => p[s].Probability) / 25;
                double actual = steps[s].Ops.Count(o => o == op) / (double)Many;
                Assert.InRange(actual, expected - 0.012, expected + 0.012);
            }
    }

    [Fact]
    public void AutoAugment_magnitudes_come_from_ten_bins()
    {
        var steps = new AutoAugment(AutoAugmentDataset.ImageNet).Sample(2000, 32, 32, new Generator(4));
        // ImageNet's rotations use bins 3, 8 and 9 of linspace(0, 30, 10); its posterize bins 5-8 of 8 - round(k / 2.25).
        var rotations = steps.SelectMany(s => Magnitudes(s, AugmentOp.Rotate)).Select(Math.Abs).Distinct().Order();
        Assert.Equal(new[] { 10.0, 26.6667, 30.0 }, rotations.Select(m => Math.Round(m, 4)));
        Assert.Equal(new double[] { 4, 5, 6 }, steps.SelectMany(s => Magnitudes(s, AugmentOp.Posterize)).Distinct().Order());
    }

    [Fact]
    public void A_policy_applies_each_images_drawn_ops_in_turn()
    {
        using var scope = NewDisposeScope();
        var images = randint(0, 256, [24, 3, 12, 20], generator: new Generator(5)).to(ScalarType.Byte);
        var policy = new RandAugment(2, 20);
        var actual = policy.Apply(images, new Generator(6));

        var steps = policy.Sample(24, 12, 20, new Generator(6));
        for (int i = 0; i < 24; i++)
        {
            var expected = images[i..(i + 1)];
            foreach (var step in steps) expected = AugmentOps.Apply(step.Ops[i], expected, [step.Magnitudes[i]]);
            Assert.True(expected.equal(actual[i..(i + 1)]).all().item<bool>(), $"image {i} ({string.Join(", ", steps.Select(s => s.Ops[i]))})");
        }
        Assert.Equal(ScalarType.Byte, actual.dtype);
        Assert.False(actual.equal(images).all().item<bool>());
        Assert.True(actual.equal(policy.Apply(images, new Generator(6))).all().item<bool>());
    }

    [Fact]
    public void The_in_memory_loader_applies_the_policy_and_erasing_only_to_training_batches()
    {
        using var source = ResNetSharp.Data.Sources.SyntheticShapes.Open(trainCount: 32, valCount: 16);
        float[] Pixels(Split split, string augment)
        {
            using var loader = source.CreateLoader(split, 16, CPU, seed: 3, Augmentation.Parse(augment));
            using var batch = loader.Epoch(0).First();
            return batch.Images.contiguous().data<float>().ToArray();
        }
        var plain = Pixels(Split.Train, "standard");
        var augmented = Pixels(Split.Train, "standard,trivialaugment,erasing=1");
        Assert.NotEqual(plain, augmented);
        Assert.Equal(augmented, Pixels(Split.Train, "standard,trivialaugment,erasing=1"));
        Assert.Equal(Pixels(Split.Val, "none"), Pixels(Split.Val, "autoaugment=cifar10,erasing"));
    }

    [Fact]
    public void The_streaming_loader_applies_the_policy_to_uint8_images_before_normalising()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 4; i++)
            foreach (var split in new[] { "train", "val" })
                PhotoImages.Write(dir.Combine(split, $"c{i % 2}", $"{i}.jpg"), 60 + i, 50, seed: i);
        using var source = DataSpec.Open($"folder:{dir.Path}", imageSize: 16, loader: new ResNetSharp.Data.Loading.LoaderSettings { Workers = 1 });
        float[] Pixels(string augment)
        {
            using var loader = source.CreateLoader(Split.Train, 4, CPU, seed: 1, Augmentation.Parse(augment));
            using var batch = loader.Epoch(0).First();
            Assert.Equal(new long[] { 4, 3, 16, 16 }, batch.Images.shape);
            return batch.Images.contiguous().data<float>().ToArray();
        }
        var plain = Pixels("standard");
        // Posterize to 4 bits at most changes values; every RandAugment=1:30 op changes a photo.
        Assert.NotEqual(plain, Pixels("standard,randaugment=1:30"));
        Assert.Equal(Pixels("standard,randaugment=1:30"), Pixels("standard,randaugment=1:30"));
    }

    private static double[] Magnitudes(PolicyStep step, AugmentOp op) => [.. step.Magnitudes.Where((_, i) => step.Ops[i] == op)];
}
