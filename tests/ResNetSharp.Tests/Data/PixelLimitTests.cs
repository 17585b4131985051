using ResNetSharp.Data.Check;
using ResNetSharp.Data.Images;
using ResNetSharp.Tests.Serving;

namespace ResNetSharp.Tests.Data;

// PIL's decompression-bomb guard for the decoders (predict, explain, the loaders): the header is checked before any pixel is allocated.
public class PixelLimitTests
{
    [Fact]
    public void An_image_over_the_pixel_limit_is_an_error_naming_the_setting()
    {
        Assert.Equal(178_956_970, ImageFiles.MaxPixels);
        var e = Assert.Throws<ResNetSharpException>(() => ImageFiles.Decode(PixelBomb.Png(20_000, 20_000), "bomb.png"));
        Assert.Equal("image 'bomb.png' claims 20000x20000 = 400 M pixels, over the limit of 179 M that guards against decompression bombs: resize it, or raise the limit with InferenceSettings.MaxPixels N if you trust the file.", e.Message);
        Assert.Equal((20_000, 20_000), ImageFiles.ReadSize(PixelBomb.Png(20_000, 20_000), "bomb.png"));
        // Under the limit the header passes and the decoder meets the missing rows.
        Assert.Contains("image 'small.png' is truncated", Assert.Throws<ResNetSharpException>(() => ImageFiles.Decode(PixelBomb.Png(300, 200), "small.png")).Message);
    }

    [Fact]
    public void Data_check_names_an_image_over_the_limit_without_decoding_it()
    {
        var (width, height, error) = DataCheck.Inspect(PixelBomb.Png(20_000, 20_000));
        Assert.Equal((20_000, 20_000), (width, height));
        Assert.StartsWith("claims 20000x20000 = 400 M pixels, over the limit of 179 M", error);
    }
}
