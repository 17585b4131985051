using ResNetSharp.Data.Augment;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data.Augment;

/// <summary>RandomErasing's draws against torchvision 0.14's get_params (scale 0.02-0.33, ratio 0.3-3.3), and the erase.</summary>
public class RandomErasingTests
{
    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    public void Images_are_erased_with_the_probability_by_boxes_of_the_scale_and_ratio_ranges(double p)
    {
        const int n = 20_000;
        var boxes = RandomErasing.Boxes(n, 32, 40, p, new Generator(7));
        int erased = 0;
        var areas = new List<double>();
        for (int i = 0; i < n; i++)
        {
            long top = boxes[4 * i], left = boxes[4 * i + 1], bottom = boxes[4 * i + 2], right = boxes[4 * i + 3];
            if (bottom == top) continue;
            erased++;
            long h = bottom - top, w = right - left;
            Assert.True(top >= 0 && left >= 0 && bottom <= 32 && right <= 40 && h < 32 && w < 40, $"box {i} ({top}, {left}, {bottom}, {right})");
            // round(√(area·r)) · round(√(area/r)) is within rounding of the drawn area, which is 2-33% of 1280 pixels.
            double fraction = (double)h * w / (32 * 40);
            Assert.InRange(fraction, 0.005, 0.40);
            Assert.InRange((double)h / w, 0.3 / 2, 3.3 * 2);
            areas.Add(fraction);
        }
        // Probability p (sd ≤ 0.0035); nearly every draw fits 32×40, so the mean area is near (0.02 + 0.33) / 2.
        Assert.InRange(erased / (double)n, p - 0.02, p + 0.02);
        Assert.InRange(areas.Average(), 0.16, 0.19);
    }

    [Fact]
    public void Erase_zeroes_each_images_box_and_nothing_else()
    {
        using var scope = NewDisposeScope();
        var images = ones(2, 2, 3, 4);
        // Image 0: rows 1..2, columns 0..1; image 1: an empty box.
        var erased = TensorTransforms.Erase(images, tensor(new long[] { 1, 0, 3, 2, 0, 0, 0, 0 }).view(2, 4));
        var expected = new float[] { 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 };
        Assert.Equal(expected.Concat(expected), erased[0].contiguous().data<float>().ToArray());
        Assert.All(erased[1].contiguous().data<float>().ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Apply_erases_the_drawn_boxes_and_is_deterministic_per_seed()
    {
        using var scope = NewDisposeScope();
        var images = rand(64, 3, 16, 16).add(1);   // no zeros of its own
        var erased = RandomErasing.Apply(images, 1.0, new Generator(9));
        var boxes = RandomErasing.Boxes(64, 16, 16, 1.0, new Generator(9));
        var expected = TensorTransforms.Erase(images, tensor(boxes).view(64, 4));
        Assert.True(erased.equal(expected).all().item<bool>());
        Assert.True(erased.eq(0).flatten(1).any(1).sum().item<long>() >= 60);   // nearly every 16×16 draw fits
    }
}
