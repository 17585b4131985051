using ResNetSharp.IO.Fonts;
using SkiaSharp;

namespace ResNetSharp.Tests.IO;

public class EmbeddedFontTests
{
    [Fact]
    public void Plots_use_the_embedded_font_and_their_titles_have_text_pixels()
    {
        var plot = new ScottPlot.Plot();
        Assert.Equal(EmbeddedFont.Name, plot.Axes.Title.Label.FontName);
        Assert.Same(EmbeddedFont.Typeface, ScottPlot.Fonts.GetTypeface(EmbeddedFont.Name, bold: true, italic: false));
        Assert.True(EmbeddedFont.Typeface.GlyphCount > 1000, "DejaVu Sans has thousands of glyphs");

        // The same plot titled with two anagrams of one length and word lengths: the layout is the same, so the pixels
        // that differ are the glyphs' (a font-less renderer draws nothing, or the same box for every letter).
        static SKBitmap Render(string title)
        {
            var p = new ScottPlot.Plot();
            p.Title(title);
            return SKBitmap.Decode(p.GetImageBytes(400, 300, ScottPlot.ImageFormat.Png));
        }
        using var one = Render("Loss and accuracy");
        using var other = Render("ssoL dna ycarucca");
        int differ = 0;
        for (int y = 0; y < 300; y++)
            for (int x = 0; x < 400; x++)
                if (Math.Abs(one.GetPixel(x, y).Red - other.GetPixel(x, y).Red) > 64) differ++;
        Assert.InRange(differ, 100, 400 * 300 / 10);
    }

    [Fact]
    public void SkiaSharp_text_in_the_embedded_typeface_has_pixels()
    {
        using var bitmap = new SKBitmap(200, 50);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(EmbeddedFont.Typeface, 24);
        using var paint = new SKPaint { Color = SKColors.Black };
        canvas.DrawText("top-1 93%", 5, 35, font, paint);
        int dark = Enumerable.Range(0, 50).Sum(y => Enumerable.Range(0, 200).Count(x => bitmap.GetPixel(x, y).Red < 128));
        Assert.InRange(dark, 100, 200 * 50 / 2);
    }
}
