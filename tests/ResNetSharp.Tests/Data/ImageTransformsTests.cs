using ResNetSharp.Data.Images;
using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class ImageTransformsTests
{
    [Fact]
    public void Png_loads_as_exact_rgb_chw_and_grayscale_as_luma()
    {
        using var dir = new TempDir();
        string path = dir.Combine("a.png");
        TestImages.Write(path, 5, 4, TestImages.Gradient);
        using var rgb = ImageFiles.Load(path);
        Assert.Equal(new long[] { 3, 4, 5 }, rgb.shape);
        Assert.Equal(30, rgb[0, 2, 3].item<byte>());   // red = x·10
        Assert.Equal(20, rgb[1, 2, 3].item<byte>());   // green = y·10
        Assert.Equal(200, rgb[2, 2, 3].item<byte>());
        using var gray = ImageFiles.Load(path, channels: 1);
        Assert.Equal(new long[] { 1, 4, 5 }, gray.shape);
        Assert.Equal((byte)Math.Round(0.299 * 30 + 0.587 * 20 + 0.114 * 200), gray[0, 2, 3].item<byte>());
    }

    [Fact]
    public void Corrupt_and_missing_files_give_one_clear_error_naming_the_file()
    {
        using var dir = new TempDir();
        string bad = dir.Combine("bad.jpg");
        File.WriteAllBytes(bad, [0xFF, 0xD8, 1, 2, 3, 4]);
        Assert.Contains($"cannot decode image '{bad}'", Assert.Throws<ResNetSharpException>(() => ImageFiles.Load(bad)).Message);
        Assert.Contains("does not exist", Assert.Throws<ResNetSharpException>(() => ImageFiles.Load(dir.Combine("none.png"))).Message);
        // A JPEG cut short after a readable header: an error (file and bytes alike), not a half-grey image.
        string cut = dir.Combine("cut.jpg");
        PhotoImages.Write(cut, 120, 90, seed: 1);
        var bytes = File.ReadAllBytes(cut)[..1500];
        File.WriteAllBytes(cut, bytes);
        Assert.Contains($"image '{cut}' is truncated", Assert.Throws<ResNetSharpException>(() => ImageFiles.Load(cut)).Message);
        Assert.Contains("image 'upload' is truncated", Assert.Throws<ResNetSharpException>(() => ImageFiles.Decode(bytes, "upload")).Message);
    }

    [Fact]
    public void Center_crop_of_an_image_already_at_resize_size_copies_the_centre_pixels()
    {
        // Width 16, height 20, crop 14: resize shorter side to 14 / 0.875 = 16 is the identity; torchvision's
        // CenterCrop then starts at left round((16-14)/2) = 1, top round((20-14)/2) = 3.
        var rect = ImageTransforms.CenterCropRect(16, 20, 14, 14);
        Assert.Equal(SKRect.Create(1, 3, 14, 14), rect);
        using var bitmap = new SKBitmap(new SKImageInfo(16, 20, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 16; x++)
                bitmap.SetPixel(x, y, TestImages.Gradient(x, y));
        var chw = ImageTransforms.Render(bitmap, rect, 14, 14, flip: false);
        int plane = 14 * 14;
        Assert.Equal(10 * (0 + 1), chw[0]);                       // output (0,0) is source (1,3)
        Assert.Equal(10 * (0 + 3), chw[plane]);
        Assert.Equal(10 * (13 + 1), chw[5 * 14 + 13]);            // output (x=13, y=5) is source (14, 8)
        Assert.Equal(10 * (5 + 3), chw[plane + 5 * 14 + 13]);
        var flipped = ImageTransforms.Render(bitmap, rect, 14, 14, flip: true);
        Assert.Equal(chw[5 * 14 + 13], flipped[5 * 14]);
    }

    [Fact]
    public void Center_crop_rect_scales_back_to_the_source_for_large_images()
    {
        // 500x375 to 224: resize 375 -> 256 (scale 256/375), resized width 341.33 -> 341, left = round(117/2) = 58 (banker's).
        var rect = ImageTransforms.CenterCropRect(500, 375, 224, 224);
        double scale = 256.0 / 375;
        Assert.Equal(58 / scale, rect.Left, 3);
        Assert.Equal(16 / scale, rect.Top, 3);
        Assert.Equal(224 / scale, rect.Width, 3);
    }

    [Fact]
    public void Random_resized_crop_stays_inside_the_image_with_area_and_ratio_in_range()
    {
        var rng = new Random(1);
        for (int i = 0; i < 500; i++)
        {
            var r = ImageTransforms.RandomResizedCropRect(300, 200, rng);
            Assert.True(r.Left >= 0 && r.Top >= 0 && r.Right <= 300 && r.Bottom <= 200, $"{r}");
            double area = r.Width * r.Height / (300.0 * 200);
            Assert.InRange(area, 0.07, 1.0);
            Assert.InRange(r.Width / r.Height, 0.70, 1.40);
        }
        Assert.Equal(ImageTransforms.RandomResizedCropRect(300, 200, new Random(9)), ImageTransforms.RandomResizedCropRect(300, 200, new Random(9)));
        // Impossible ratios fall back to the centre crop with the ratio clamped to 4/3: 400x100 -> 133x100.
        Assert.Equal(SKRect.Create(133, 0, 133, 100), ImageTransforms.RandomResizedCropRect(400, 100, new Random(1), 0.99, 1.0));
    }

    [Fact]
    public void Eval_preprocessing_does_not_resample_an_image_already_at_the_input_size()
    {
        using var scope = NewDisposeScope();
        var image = randint(0, 256, [3, 6, 6], generator: new Generator(2)).to(ScalarType.Byte);
        float[] mean = [0.4f, 0.5f, 0.6f], std = [0.2f, 0.25f, 0.3f];
        var x = ImageFiles.PreprocessForEval(image, (3, 6, 6), mean, std);
        var expected = (image.to(float32) / 255 - tensor(mean).view(3, 1, 1)) / tensor(std).view(3, 1, 1);
        Assert.True(x.allclose(expected, rtol: 1e-6, atol: 1e-6));
        var resized = ImageFiles.PreprocessForEval(image, (3, 4, 4), mean, std);
        Assert.Equal(new long[] { 3, 4, 4 }, resized.shape);
    }
}
