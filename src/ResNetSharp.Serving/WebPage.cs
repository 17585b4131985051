using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ResNetSharp.Serving;

/// <summary>
/// <c>GET /</c>: a page for people to classify images (embedded HTML, CSS and JavaScript; no CDN, works offline). The
/// page is static and open even when the server has API keys (a browser cannot send a bearer key to load a page); its
/// API calls carry the key the user pastes into it, and the API checks that. With several models, <c>/?model=NAME</c>
/// picks the one the page classifies with.
/// </summary>
internal static class WebPage
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream("ResNetSharp.Serving.index.html")!;
        return new StreamReader(stream).ReadToEnd();
    });

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/", (string? model, ResNetClassifierRegistry r) => Results.Text(Html.Value.Replace("__MODEL__", HtmlEncoder.Default.Encode(Name(r, model))), "text/html; charset=utf-8"))
            .WithTags("page").WithSummary("A web page: drop or pick images and see their top classes; ?model=NAME picks the model (default: the first).").ExcludeFromDescription()
            .AllowAnonymous();

    /// <summary>The model the page classifies with: <paramref name="model"/>, one of the served names (404 naming them otherwise), or the first.</summary>
    private static string Name(ResNetClassifierRegistry models, string? model) =>
        model is null ? models.Models[0].Name
        : models.Models.Any(m => m.Name == model) ? model
        : throw new ServingException(404, $"unknown model '{model}': this server serves {models.Names}; open /?model=NAME with one of them.");
}
