using ResNetSharp.Serving.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ResNetSharp.Serving;

/// <summary>
/// <c>POST /v1/models/{name}/classify</c> and <c>POST /predictions/{name}</c>: images in (raw bytes or multipart
/// files), <c>{"model", "predictions": [{"file", "top": [{"index", "label", "prob", "logit"}]}]}</c> out.
/// </summary>
internal static class ClassifyEndpoints
{
    /// <summary>The JSON answer.</summary>
    public sealed record ClassifyResponse(string Model, IReadOnlyList<FilePrediction> Predictions);

    /// <summary>One image's top-k.</summary>
    public sealed record FilePrediction(string? File, IReadOnlyList<Inference.Prediction> Top);

    public static void Map(RouteGroupBuilder group)
    {
        foreach (var (pattern, name) in new[] { ("/v1/models/{name}/classify", "Classify"), ("/predictions/{name}", "ClassifyTorchServe") })
        {
            group.MapPost(pattern, Classify).WithName(name).WithTags("classify").DisableAntiforgery()
                .WithSummary("Classify images: the body is image bytes (image/* or application/octet-stream) or multipart/form-data files; ?topk=K.")
                .Accepts<byte[]>("image/*", "application/octet-stream", "multipart/form-data", "*/*")
                .Produces<ClassifyResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(503).ProducesProblem(504);
        }
    }

    private static async Task<IResult> Classify(string name, int? topk, HttpRequest request, ResNetClassifierRegistry models)
    {
        var classifier = models.Find(name);
        int k = topk ?? classifier.Options.TopK;
        if (k < 1) throw new ServingException(400, $"topk must be at least 1, not {k}.");
        var images = await RequestBody.ImagesAsync(request, classifier.Options.MaxBodyBytes, request.HttpContext.RequestAborted);
        var inputs = await Classification.PreprocessAsync(classifier, images);
        var logits = await Classification.LogitsAsync(classifier, inputs, request.HttpContext.RequestAborted);
        var predictor = classifier.Predictor;
        return Results.Json(new ClassifyResponse(classifier.Name,
            [.. images.Select((image, i) => new FilePrediction(image.File, predictor.TopK(logits[i], k)))]));
    }
}
