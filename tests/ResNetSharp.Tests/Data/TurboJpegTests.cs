using System.Runtime.InteropServices;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Transforms;
using SkiaSharp;

namespace ResNetSharp.Tests.Data;

/// <summary>
/// The libjpeg-turbo (TurboJPEG) path of <see cref="CropDecoder"/> against SkiaSharp's decoder, on JPEGs written by
/// PIL (Fixtures/make_jpeg_fixtures.py) and by SkiaSharp. ./test.sh installs libturbojpeg0.
/// </summary>
public class TurboJpegTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "jpeg", name);

    private static CropDecoder Turbo()
    {
        var decoder = new CropDecoder();
        Assert.True(decoder.UsesTurboJpeg, "libturbojpeg.so.0 does not load: install libturbojpeg0 (./test.sh does)");
        return decoder;
    }

    /// <summary>The source rectangle <paramref name="rect"/> of <paramref name="bytes"/> drawn by <paramref name="decoder"/> into side × side RGBA.</summary>
    internal static byte[] Draw(CropDecoder decoder, byte[] bytes, Func<int, int, SKRect> rect, int side, DecodeMode mode, bool flip = false)
    {
        var pixels = GC.AllocateUninitializedArray<byte>(4 * side * side, pinned: true);
        var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            decoder.Decode(pin.AddrOfPinnedObject(), bytes.Length, "test.jpg", (w, h) => (rect(w, h), flip), side, side, mode,
                Marshal.UnsafeAddrOfPinnedArrayElement(pixels, 0));
        }
        finally { pin.Free(); }
        return pixels;
    }

    private static SKRect Centre(int w, int h) => ImageTransforms.CenterCropRect(w, h, 48, 48);

    [Theory]
    [InlineData("s420.jpg")]
    [InlineData("s422.jpg")]
    [InlineData("s444.jpg")]
    [InlineData("progressive.jpg")]
    [InlineData("restart.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("cmyk.jpg")]   // TurboJPEG refuses CMYK → RGBA; SkiaSharp decodes it
    public void ExactPixelsEqualSkiaSharpsAndThePreviousPath(string file)
    {
        var bytes = File.ReadAllBytes(Fixture(file));
        using var turbo = Turbo();
        using var skia = new CropDecoder(turboJpeg: false);
        var actual = Draw(turbo, bytes, Centre, 48, DecodeMode.Exact, flip: true);
        Assert.Equal(Draw(skia, bytes, Centre, 48, DecodeMode.Exact, flip: true), actual);
        // The previous path: ImageFiles' full decode drawn by ImageTransforms.Render (RGB planes, mirrored).
        using var bitmap = ImageFiles.Decode(Fixture(file));
        var chw = ImageTransforms.Render(bitmap, Centre(bitmap.Width, bitmap.Height), 48, 48, flip: true);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 48 * 48; i++)
                Assert.True(chw[c * 48 * 48 + i] == actual[4 * i + c], $"{file}: channel {c}, pixel {i}: {chw[c * 48 * 48 + i]} vs {actual[4 * i + c]}");
    }

    [Theory]
    [InlineData("s420.jpg")]
    [InlineData("progressive.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("cmyk.jpg")]
    public void SingleImagesDecodeToSkiaSharpsPixels(string file)
    {
        Assert.True(Turbo().UsesTurboJpeg);
        var bytes = File.ReadAllBytes(Fixture(file));
        using var codec = SKCodec.Create(Fixture(file));
        using var reference = new SKBitmap(codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul));
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(reference.Info, reference.GetPixels()));
        using var upload = ImageFiles.Decode(bytes, "upload");
        using var path = ImageFiles.Decode(Fixture(file));
        Assert.Equal(reference.Bytes, upload.Bytes);
        Assert.Equal(reference.Bytes, path.Bytes);
        if (file == "s420.jpg")   // a baseline JPEG cut short (a progressive one may still decode whole, at a lower quality)
            Assert.Contains("is truncated", Assert.Throws<ResNetSharpException>(() => ImageFiles.Decode(bytes[..(bytes.Length * 2 / 3)], "upload")).Message);
    }

    [Fact]
    public void ExactPixelsOfAPhotoAt224EqualThePreviousPath()
    {
        using var dir = new TempDir();
        string file = dir.Combine("photo.jpg");
        PhotoImages.Write(file, 500, 375, seed: 5);
        using var turbo = Turbo();
        var actual = Draw(turbo, File.ReadAllBytes(file), (w, h) => ImageTransforms.CenterCropRect(w, h, 224, 224), 224, DecodeMode.Exact);
        using var bitmap = ImageFiles.Decode(file);
        var chw = ImageTransforms.Render(bitmap, ImageTransforms.CenterCropRect(500, 375, 224, 224), 224, 224, flip: false);
        int differing = Enumerable.Range(0, 224 * 224 * 3).Count(k => chw[k] != actual[4 * (k % (224 * 224)) + k / (224 * 224)]);
        Assert.Equal(0, differing);
    }

    [Theory]
    [InlineData(8, 8)]    // a 101x77 image, 8x8 output from a 96x72 crop: scale 1/8
    [InlineData(36, 2)]   // 36x36 from the same crop: scale 1/2
    public void FastPixelsStayCloseToSkiaSharpsScaledRegion(int output, int denominator)
    {
        static SKRect Crop(int w, int h) => SKRect.Create(3, 2, 96, 72);
        Assert.Equal(denominator, CropDecoder.ScaleDenominator(Crop(101, 77), output, output));
        var bytes = File.ReadAllBytes(Fixture("s420.jpg"));
        using var turbo = Turbo();
        using var skia = new CropDecoder(turboJpeg: false);
        var a = Draw(turbo, bytes, Crop, output, DecodeMode.Fast);
        var b = Draw(skia, bytes, Crop, output, DecodeMode.Fast);
        double meanAbs = a.Zip(b).Where((_, i) => i % 4 != 3).Average(p => Math.Abs(p.First - p.Second));
        Assert.InRange(meanAbs, 0, 1.0);
    }

    [Fact]
    public void ATruncatedOrBrokenJpegIsTheSameClearErrorAsWithSkiaSharp()
    {
        var bytes = File.ReadAllBytes(Fixture("s444.jpg"));
        using var turbo = Turbo();
        var cut = Assert.Throws<ResNetSharpException>(() => Draw(turbo, bytes[..(bytes.Length / 2)], Centre, 48, DecodeMode.Exact));
        Assert.Contains("truncated", cut.Message);
        byte[] header = [.. bytes[..200]];
        var broken = Assert.Throws<ResNetSharpException>(() => Draw(turbo, header, Centre, 48, DecodeMode.Fast));
        Assert.Contains("test.jpg", broken.Message);
        var empty = Assert.Throws<ResNetSharpException>(() => Draw(turbo, [], Centre, 48, DecodeMode.Exact));
        Assert.Contains("cannot decode image 'test.jpg'", empty.Message);
    }

    [Fact]
    public void AHeaderClaimingGigapixelsIsAClearErrorNotACrash()
    {
        var bytes = File.ReadAllBytes(Fixture("s420.jpg"));
        int sof = Enumerable.Range(0, bytes.Length - 1).First(i => bytes[i] == 0xFF && bytes[i + 1] == 0xC0);
        bytes[sof + 5] = bytes[sof + 7] = 0xEA;   // height and width (big-endian) 0xEA60 = 60000
        bytes[sof + 6] = bytes[sof + 8] = 0x60;
        using var turbo = Turbo();
        using var skia = new CropDecoder(turboJpeg: false);
        // Fast mode checks the full size too, not the 1/8-scale one: libjpeg-turbo allocates a progressive JPEG's
        // coefficients for the whole image at any scale (fuzz/corpus/image-turbo/crash-progressive-bomb-scaled took 9 GB).
        foreach (var decoder in new[] { turbo, skia })
            foreach (var mode in new[] { DecodeMode.Exact, DecodeMode.Fast })
                Assert.Contains("claims 60000x60000 = 3600 M pixels, over the limit of 179 M that guards against decompression bombs", Assert.Throws<ResNetSharpException>(() => Draw(decoder, bytes, Centre, 48, mode)).Message);
        Assert.Contains("image 'upload' claims 60000x60000 = 3600 M pixels", Assert.Throws<ResNetSharpException>(() => ImageFiles.Decode(bytes, "upload")).Message);
    }
}
