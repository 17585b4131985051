using System.Runtime.CompilerServices;
using SkiaSharp;

namespace ResNetSharp.IO.Fonts;

/// <summary>
/// DejaVu Sans (Bitstream Vera licence, see DejaVuSans-LICENSE.txt), embedded in the library so that plots and images
/// have their titles, labels and legends on machines without system fonts (minimal Debian, containers, GPU servers).
/// It is registered with ScottPlot and made its default font when the library loads; SkiaSharp text can use
/// <see cref="Typeface"/>.
/// </summary>
public static class EmbeddedFont
{
    /// <summary>The embedded font's family name.</summary>
    public const string Name = "DejaVu Sans";

    private static readonly Lazy<SKTypeface> Loaded = new(() =>
    {
        using var stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream("ResNetSharp.Fonts.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("the embedded font resource is missing from the ResNetSharp assembly.");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException("the embedded font could not be read.");
    });

    /// <summary>The embedded typeface (regular; bold, italic and condensed requests get it too).</summary>
    public static SKTypeface Typeface => Loaded.Value;

    /// <summary>Registers the font with ScottPlot (first among its resolvers) and makes it ScottPlot's default font.</summary>
#pragma warning disable CA2255   // deliberate: every plot the library draws must find this font, whichever entry point runs first
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        ScottPlot.Fonts.FontResolvers.Insert(0, new Resolver());
        ScottPlot.Fonts.Default = Name;
    }

    private sealed class Resolver : ScottPlot.IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, ScottPlot.FontWeight weight, ScottPlot.FontSlant slant, ScottPlot.FontSpacing width) =>
            CreateTypeface(fontName, false, false);

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            string.Equals(fontName, Name, StringComparison.OrdinalIgnoreCase) ? Typeface : null;
    }
}
