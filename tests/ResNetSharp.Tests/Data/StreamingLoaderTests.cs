using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class StreamingLoaderTests
{
    [Theory]
    [InlineData(2000, 1500, 4)]   // 2000/8 = 250 but 1500/8 = 187.5 < 224; /4: 500 x 375
    [InlineData(1800, 1800, 8)]   // 225 x 225 at 1/8
    [InlineData(448, 448, 2)]     // exactly 224 at 1/2
    [InlineData(447, 500, 1)]     // 223.5 at 1/2: full size
    public void ScaleIsTheSmallestThatKeepsTheCropAtLeastTheOutput(int w, int h, int denominator) =>
        Assert.Equal(denominator, CropDecoder.ScaleDenominator(SKRect.Create(10, 20, w, h), 224, 224));

    /// <summary>Decodes one file's crop in a mode into a 64x64 RGBA array.</summary>
    private static byte[] DecodeCrop(string file, SKRect rect, DecodeMode mode, int side = 64)
    {
        using var decoder = new CropDecoder();
        return TurboJpegTests.Draw(decoder, File.ReadAllBytes(file), (_, _) => rect, side, mode);
    }

    [Fact]
    public void FastDecodingKeepsTheCropGeometryAndPixelsOfExact()
    {
        using var dir = new TempDir();
        string file = dir.Combine("photo.jpg");
        // A 40x40 white marker at (600, 500) in a 1200x900 photo; the crop (400..1000, 300..900) shows it at
        // ((600-400)/600·64 .. (640-400)/600·64) = 21.3..25.6 horizontally, (200/600·64 ..) = 21.3..25.6 vertically.
        PhotoImages.Write(file, 1200, 900, seed: 3, marker: SKRectI.Create(600, 500, 40, 40));
        var rect = SKRect.Create(400, 300, 600, 600);
        Assert.Equal(8, CropDecoder.ScaleDenominator(rect, 64, 64));   // 75 px at 1/8: the fast path decodes 8x smaller
        var exact = DecodeCrop(file, rect, DecodeMode.Exact);
        var fast = DecodeCrop(file, rect, DecodeMode.Fast);
        var (ex, ey) = MarkerCentre(exact);
        var (fx, fy) = MarkerCentre(fast);
        Assert.InRange(ex, 22.5, 25.5);
        Assert.InRange(ey, 22.5, 25.5);
        Assert.InRange(Math.Abs(fx - ex), 0, 1);
        Assert.InRange(Math.Abs(fy - ey), 0, 1);
        double meanAbs = exact.Zip(fast).Where((_, i) => i % 4 != 3).Average(p => Math.Abs(p.First - p.Second));
        Assert.InRange(meanAbs, 0, 6);   // stated in README: fast vs exact mean absolute difference of a few levels out of 255
    }

    /// <summary>The centroid of the near-white pixels of a 64x64 RGBA image.</summary>
    private static (double X, double Y) MarkerCentre(byte[] rgba)
    {
        double sx = 0, sy = 0, n = 0;
        for (int i = 0; i < 64 * 64; i++)
            if (rgba[4 * i] > 235 && rgba[4 * i + 1] > 235 && rgba[4 * i + 2] > 235)
            {
                sx += i % 64 + 0.5;
                sy += i / 64 + 0.5;
                n++;
            }
        Assert.True(n > 4, "the marker is visible");
        return (sx / n, sy / n);
    }

    private static string PhotoFolder(TempDir dir, int perClass, int width = 120, int height = 90)
    {
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < perClass; i++)
                foreach (var split in new[] { "train", "val" })
                    PhotoImages.Write(dir.Combine(split, $"c{c}", $"{i}.jpg"), width + 7 * i, height + 5 * c, seed: 10 * c + i);
        return $"folder:{dir.Path}";
    }

    [Fact]
    public void ExactValidationBatchesEqualThePreviousCpuPath()
    {
        using var dir = new TempDir();
        string spec = PhotoFolder(dir, 3);
        using var source = DataSpec.Open(spec, imageSize: 32, loader: new LoaderSettings { Workers = 2 });
        using var loader = source.CreateLoader(Split.Val, 4, CPU, 0, Augmentation.None);
        var files = Directory.GetFiles(dir.Combine("val"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        int k = 0;
        foreach (var batch in loader.Epoch(0))
            using (batch)
                for (int i = 0; i < batch.Size; i++, k++)
                {
                    // The previous path: full decode, Resize(32/0.875) + CenterCrop(32) drawn to CHW bytes, normalised on the CPU.
                    using var bitmap = ImageFiles.Decode(files[k]);
                    var rect = ImageTransforms.CenterCropRect(bitmap.Width, bitmap.Height, 32, 32);
                    using var chw = tensor(ImageTransforms.Render(bitmap, rect, 32, 32, flip: false), [3, 32, 32]);
                    using var expected = TensorTransforms.Normalize(chw, source.Mean, source.Std);
                    using var actual = batch.Images[i];
                    Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"image {k} differs by {(actual - expected).abs().max().item<float>()}");
                }
        Assert.Equal(6, k);
    }

    [Fact]
    public void TrainingBatchesAreTheSameForAnyWorkerCountAndHoldEachSampleOnce()
    {
        using var dir = new TempDir();
        string spec = PhotoFolder(dir, 5);
        List<(float[] Pixels, long[] Labels)> Run(int workers)
        {
            using var source = DataSpec.Open(spec, imageSize: 24, loader: new LoaderSettings { Workers = workers, Prefetch = 1 });
            using var loader = source.CreateLoader(Split.Train, 3, CPU, 7, Augmentation.Standard);
            return [.. loader.Epoch(2).Select(b => { using (b) return (b.Images.contiguous().data<float>().ToArray(), b.Labels.data<long>().ToArray()); })];
        }
        var one = Run(1);
        var three = Run(3);
        Assert.Equal(3, one.Count);                     // 10 images, batches of 3, the incomplete last one dropped
        Assert.Equal(one.Select(b => b.Labels), three.Select(b => b.Labels));
        Assert.Equal(one.Select(b => b.Pixels), three.Select(b => b.Pixels));
        Assert.Equal(9, one.SelectMany(b => b.Labels).Count());
    }

    [Fact]
    public void BadImagesAreAnErrorNamingTheFileOrSkippedAndCounted()
    {
        using var dir = new TempDir();
        string spec = PhotoFolder(dir, 3);
        string bad = dir.Combine("val", "c1", "9.jpg");
        File.WriteAllText(bad, "not a JPEG");
        using (var source = DataSpec.Open(spec, imageSize: 24))
        using (var loader = source.CreateLoader(Split.Val, 4, CPU, 0, Augmentation.None))
        {
            var e = Assert.Throws<ResNetSharpException>(() => loader.Epoch(0).ToList().ForEach(b => b.Dispose()));
            Assert.Contains(bad, e.Message);
        }
        var warnings = new List<string>();
        using (var source = DataSpec.Open(spec, imageSize: 24, loader: new LoaderSettings { OnBadImage = BadImagePolicy.Skip, Warn = warnings.Add }))
        using (var loader = source.CreateLoader(Split.Val, 4, CPU, 0, Augmentation.None))
        {
            for (int epoch = 0; epoch < 2; epoch++)
                Assert.Equal(6, loader.Epoch(epoch).Sum(b => { using (b) return b.Size; }));
            Assert.Equal(1, loader.BadImages);
            Assert.Contains(bad, Assert.Single(warnings));   // once per file, not once per epoch
        }
    }

    [Fact]
    public void SkippedImagesShortenTheirBatchButNotTheEpoch()
    {
        using var dir = new TempDir();
        string spec = PhotoFolder(dir, 5);   // 10 training images
        File.WriteAllText(dir.Combine("train", "c0", "2.jpg"), "not a JPEG");
        var warnings = new List<string>();
        using var source = DataSpec.Open(spec, imageSize: 24, loader: new LoaderSettings { OnBadImage = BadImagePolicy.Skip, Warn = warnings.Add, Workers = 2 });
        using var loader = source.CreateLoader(Split.Train, 3, CPU, 7, Augmentation.Standard);
        Assert.Equal(3, loader.BatchesPerEpoch);   // 10 images in batches of 3, the last incomplete one dropped
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var sizes = loader.Epoch(epoch).Select(b => { using (b) return b.Size; }).ToList();
            Assert.Equal(loader.BatchesPerEpoch, sizes.Count);   // ranks stay in step whatever is skipped
            // The bad file is in one of the 3 full batches (one short) or among the sample that sits the epoch out.
            Assert.InRange(sizes.Sum(), 8, 9);
            Assert.All(sizes, n => Assert.InRange(n, 2, 3));
        }
        Assert.Equal(1, loader.BadImages);
    }
}
