using ResNetSharp.Data;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

/// <summary>Mixup and CutMix: the transforms against hand-computed tensors, the augmenter's draws against Beta(α, α).</summary>
public class MixingTests
{
    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void Mixup_blends_each_image_with_the_batch_in_reverse_order()
    {
        using var scope = NewDisposeScope();
        var batch = tensor(new[] { 1f, 2f, 3f }).view(3, 1, 1, 1).expand(3, 1, 2, 2);
        // 0.75·1 + 0.25·3 = 1.5; 0.75·2 + 0.25·2 = 2; 0.75·3 + 0.25·1 = 2.5
        var mixed = TensorTransforms.Mixup(batch, 0.75);
        Assert.Equal(new[] { 1.5f, 1.5f, 1.5f, 1.5f, 2f, 2f, 2f, 2f, 2.5f, 2.5f, 2.5f, 2.5f }, Values(mixed));
    }

    [Fact]
    public void CutMix_pastes_the_box_from_the_reversed_batch()
    {
        using var scope = NewDisposeScope();
        var first = arange(1, 17, dtype: float32).view(1, 1, 4, 4);
        var batch = cat([first, first + 100], 0);
        // Rows 1..2, columns 1..3 come from the other image.
        var mixed = TensorTransforms.CutMix(batch, (1, 1, 3, 4));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 106, 107, 108, 9, 110, 111, 112, 13, 14, 15, 16 }, Values(mixed[0]));
        Assert.Equal(new float[] { 101, 102, 103, 104, 105, 6, 7, 8, 109, 10, 11, 12, 113, 114, 115, 116 }, Values(mixed[1]));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(4.0)]
    public void Mixup_weights_follow_Beta_alpha_alpha_and_label_the_reversed_batch(double alpha)
    {
        using var scope = NewDisposeScope();
        // Two one-pixel images, 0 and 1 after normalisation: the first mixed image is 1 - weight, the second the weight.
        var images = tensor(new byte[] { 0, 255 }).view(2, 1, 1, 1);
        var labels = tensor(new long[] { 3, 5 });
        var augmenter = new BatchAugmenter(new Augmentation(false, false, false, Mixup: alpha), false, [0f], [1f]);
        var generator = new Generator(7);
        var weights = new List<double>();
        for (int i = 0; i < 4000; i++)
        {
            using var batch = augmenter.Apply(images, labels, generator);
            Assert.Equal(1 - batch.MixWeight, batch.Images[0].item<float>(), 1e-5);
            Assert.Equal(batch.MixWeight, batch.Images[1].item<float>(), 1e-5);
            Assert.Equal(new long[] { 5, 3 }, batch.MixedLabels!.data<long>().ToArray());
            weights.Add(batch.MixWeight);
        }
        // Beta(α, α): mean 1/2, variance 1 / (4 (2α + 1)); at 4,000 draws the standard errors are below 0.007 and 0.004.
        double mean = weights.Average(), variance = weights.Sum(w => (w - mean) * (w - mean)) / (weights.Count - 1);
        Assert.InRange(mean, 0.47, 0.53);
        Assert.InRange(variance, 1 / (4 * (2 * alpha + 1)) - 0.012, 1 / (4 * (2 * alpha + 1)) + 0.012);
        Assert.All(weights, w => Assert.InRange(w, 0, 1));
    }

    [Fact]
    public void CutMix_weight_is_the_share_of_pixels_kept_and_the_pasted_pixels_form_one_box()
    {
        using var scope = NewDisposeScope();
        var images = tensor(new byte[] { 0, 255 }).view(2, 1, 1, 1).expand(2, 1, 12, 10);
        var augmenter = new BatchAugmenter(new Augmentation(false, false, false, CutMix: 1.0), false, [0f], [1f]);
        var generator = new Generator(11);
        int partial = 0;
        for (int i = 0; i < 200; i++)
        {
            using var batch = augmenter.Apply(images, tensor(new long[] { 0, 1 }), generator);
            var pasted = batch.Images[0, 0].eq(1f);                        // [12,10]: pixels taken from image 1
            long count = pasted.sum().item<long>();
            long rows = pasted.any(1).sum().item<long>(), cols = pasted.any(0).sum().item<long>();
            Assert.Equal(rows * cols, count);                               // a full rectangle
            Assert.Equal(1 - count / 120.0, batch.MixWeight, 1e-12);
            Assert.Equal(Values(batch.Images[0].eq(1f).to(float32)), Values(batch.Images[1].eq(0f).to(float32)));
            if (count > 0 && count < 120) partial++;
        }
        Assert.True(partial > 150, $"only {partial} of 200 boxes were neither empty nor the whole image");
    }

    [Fact]
    public void With_both_on_each_batch_is_either_mixup_or_cutmix()
    {
        using var scope = NewDisposeScope();
        var images = tensor(new byte[] { 0, 255 }).view(2, 1, 1, 1).expand(2, 1, 8, 8);
        var augmenter = new BatchAugmenter(Augmentation.Parse("mixup=1,cutmix=1"), false, [0f], [1f]);
        var generator = new Generator(5);
        int blended = 0, pasted = 0;
        for (int i = 0; i < 100; i++)
        {
            using var batch = augmenter.Apply(images, tensor(new long[] { 0, 1 }), generator);
            var pixels = Values(batch.Images[0]);
            if (pixels.All(p => p == pixels[0]) && pixels[0] is > 1e-6f and < 1 - 1e-6f) blended++;
            else if (pixels.All(p => p is 0f or 1f)) pasted++;
        }
        Assert.Equal(100, blended + pasted);
        Assert.InRange(blended, 30, 70);
    }

    [Fact]
    public void Validation_and_unmixed_batches_carry_no_mixed_labels()
    {
        using var scope = NewDisposeScope();
        var augmenter = new BatchAugmenter(Augmentation.Parse("flip,mixup"), true, [0f], [1f]);
        using var batch = augmenter.Apply(zeros(2, 1, 2, 2, ScalarType.Byte), tensor(new long[] { 0, 1 }), null);
        Assert.Null(batch.MixedLabels);
        Assert.Equal(1.0, batch.MixWeight);
        Assert.Equal(0f, batch.Images.abs().max().item<float>());
    }
}
