using ResNetSharp.Data;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class TensorTransformsTests
{
    // A 1x1x4x4 image with pixel values 1..16, row-major.
    private static Tensor Image() => arange(1, 17, dtype: float32).view(1, 1, 4, 4);

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void Crop_with_padding_takes_the_window_at_the_offset_in_the_zero_padded_image()
    {
        using var scope = NewDisposeScope();
        // Padding 1 gives a 6x6 image with the original at rows/cols 1..4. Offset (dy=0, dx=2): padded rows 0..3,
        // columns 2..5 -> first row zeros, then original rows 0..2, columns 1..3, with a zero column on the right.
        var cropped = TensorTransforms.CropWithPadding(Image(), 1, tensor(new long[] { 0, 2 }).view(1, 2));
        Assert.Equal(new float[] { 0, 0, 0, 0, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0 }, Values(cropped));
        // Offset (1,1) is the identity.
        Assert.Equal(Values(Image()), Values(TensorTransforms.CropWithPadding(Image(), 1, tensor(new long[] { 1, 1 }).view(1, 2))));
    }

    [Fact]
    public void Crop_uses_a_separate_offset_per_sample_and_works_on_uint8()
    {
        using var scope = NewDisposeScope();
        var batch = cat([Image(), Image() + 16], 0).to(ScalarType.Byte);
        var cropped = TensorTransforms.CropWithPadding(batch, 1, tensor(new long[] { 2, 2, 0, 0 }).view(2, 2));
        Assert.Equal(ScalarType.Byte, cropped.dtype);
        Assert.Equal(new float[] { 6, 7, 8, 0, 10, 11, 12, 0, 14, 15, 16, 0, 0, 0, 0, 0 }, Values(cropped[0].to(float32)));
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 17, 18, 19, 0, 21, 22, 23, 0, 25, 26, 27 }, Values(cropped[1].to(float32)));
    }

    [Fact]
    public void Flip_reverses_columns_of_the_masked_samples_only()
    {
        using var scope = NewDisposeScope();
        var batch = cat([Image(), Image()], 0);
        var flipped = TensorTransforms.HorizontalFlip(batch, tensor(new[] { true, false }));
        Assert.Equal(new float[] { 4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13 }, Values(flipped[0]));
        Assert.Equal(Values(Image()), Values(flipped[1]));
    }

    [Fact]
    public void Normalize_scales_uint8_by_255_then_subtracts_mean_and_divides_by_std()
    {
        using var scope = NewDisposeScope();
        var pixels = tensor(new byte[] { 0, 51, 255, 102 }).view(2, 1, 2);   // [C=2,H=1,W=2]
        var x = TensorTransforms.Normalize(pixels, [0.5f, 0.2f], [0.25f, 0.5f]);
        // (0-0.5)/0.25 = -2, (0.2-0.5)/0.25 = -1.2; (1-0.2)/0.5 = 1.6, (0.4-0.2)/0.5 = 0.4
        Assert.Equal(new[] { -2f, -1.2f, 1.6f, 0.4f }, Values(x), new FloatTolerance(1e-6f));
        Assert.Equal(new[] { 2f, 0f }, Values(TensorTransforms.Normalize(tensor(new[] { 1f, 0.5f }).view(1, 1, 1, 2), [0.5f], [0.25f])), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Cutout_zeroes_the_square_around_the_centre_clipped_to_the_image()
    {
        using var scope = NewDisposeScope();
        // Size 2 at centre (0, 3): rows [-1, 1) -> row 0, columns [2, 4) -> columns 2 and 3.
        var cut = TensorTransforms.Cutout(Image(), 2, tensor(new long[] { 0, 3 }).view(1, 2));
        Assert.Equal(new float[] { 1, 2, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, Values(cut));
    }

    [Fact]
    public void Augmenter_is_deterministic_per_seed_and_leaves_val_batches_unaugmented()
    {
        using var scope = NewDisposeScope();
        var images = randint(0, 256, [8, 3, 8, 8], generator: new Generator(1)).to(ScalarType.Byte);
        var augmenter = new BatchAugmenter(Augmentation.Parse("crop=2,flip,cutout=4"), allowFlip: true, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]);
        var labels = arange(8);
        using var a = augmenter.Apply(images, labels, new Generator(3));
        using var b = augmenter.Apply(images, labels, new Generator(3));
        using var c = augmenter.Apply(images, labels, new Generator(4));
        Assert.True(a.Images.equal(b.Images).all().item<bool>());
        Assert.False(c.Images.equal(a.Images).all().item<bool>());
        using var plain = augmenter.Apply(images, labels, null);
        Assert.Equal(Values(TensorTransforms.Normalize(images, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f])), Values(plain.Images));
        Assert.Null(plain.MixedLabels);
    }

    [Theory]
    [InlineData("standard", "crop,flip")]
    [InlineData("none", "none")]
    [InlineData("", "none")]
    [InlineData("crop, flip, cutout", "crop,flip,cutout")]
    [InlineData("standard,cutout=8", "crop,flip,cutout=8")]
    [InlineData("crop=2", "crop=2")]
    [InlineData("standard,mixup,cutmix", "crop,flip,mixup=0.2,cutmix=1")]
    [InlineData("mixup=0.4", "mixup=0.4")]
    [InlineData("flip,cutmix=0.5", "flip,cutmix=0.5")]
    public void Augmentation_parses_and_prints(string text, string canonical)
    {
        Assert.Equal(canonical, Augmentation.Parse(text).ToString());
        Assert.Equal(Augmentation.Parse(text), Augmentation.Parse(canonical));
    }

    [Theory]
    [InlineData("rotate")]
    [InlineData("crop=-1")]
    [InlineData("flip=3")]
    [InlineData("crop=1.5")]
    [InlineData("mixup=0")]
    [InlineData("mixup=-0.2")]
    [InlineData("cutmix=x")]
    public void Augmentation_rejects_unknown_parts_with_a_clear_error(string text) =>
        Assert.Contains("unknown augmentation", Assert.Throws<ResNetSharpException>(() => Augmentation.Parse(text)).Message);
}

internal sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(float obj) => 0;
}
