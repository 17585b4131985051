using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ResNetSharp.Serving;

/// <summary><c>GET /</c>: a page for people to classify images (embedded HTML, CSS and JavaScript; no CDN, works offline).</summary>
internal static class WebPage
{
    private static readonly Lazy<byte[]> Html = new(() =>
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream("ResNetSharp.Serving.index.html")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", (ResNetClassifier c) => Results.Bytes(Html.Value, "text/html; charset=utf-8"))
            .WithTags("page").WithSummary("A web page: drop or pick images and see their top classes.").ExcludeFromDescription();
}
