using System.Reflection;
using ResNetSharp.Serving.Http;
using ResNetSharp.Serving.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ResNetSharp.Serving;

/// <summary>
/// The Open Inference Protocol v2 (KServe V2 / Triton REST): server metadata and health, model metadata and
/// readiness, and <c>POST /v2/models/{name}/infer</c> with FP32 [N, C, H, W] tensors or BYTES [N] encoded images,
/// in JSON or binary, and the <c>classification</c> extension.
/// </summary>
internal static class InferenceProtocolEndpoints
{
    private static readonly string Version = typeof(InferenceProtocolEndpoints).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static void Map(RouteGroupBuilder group)
    {
        var v2 = group.MapGroup("/v2").WithTags("open-inference-protocol");
        v2.MapGet("", () => Results.Json(new { name = "resnetsharp", version = Version, extensions = new[] { "binary_tensor_data", "classification" } }))
            .WithSummary("Server metadata: name, version and protocol extensions.");
        v2.MapGet("/health/live", () => Results.Ok()).AllowAnonymous().WithSummary("200 while the process runs.");
        v2.MapGet("/health/ready", (ResNetClassifierRegistry r) => r.NotReady() is { } reason ? ErrorsAndMetrics.Error(503, reason) : Results.Ok()).AllowAnonymous()
            .WithSummary("200 once every model that loaded is warmed up (a model that failed does not hold the others back); 503 before and while shutting down.");
        v2.MapGet("/models/{name}", (string name, ResNetClassifierRegistry r) => Metadata(r.Find(name)))
            .WithSummary("Model metadata: the FP32 input [-1, C, H, W] and the logits output [-1, classes].");
        v2.MapGet("/models/{name}/ready", (string name, ResNetClassifierRegistry r) => Ready(r.Find(name)))
            .WithSummary("200 when the model is ready for inference; 503 with the reason (still loading, failed to load, shutting down).");
        v2.MapMethods("/repository/index", ["GET", "POST"], (ResNetClassifierRegistry r) =>
                Results.Json(r.Models.Select(m => new { name = m.Name, version = "1", state = m.State.State, reason = m.State.Reason })))
            .WithSummary("The models served (read-only; POST as Triton, any body ignored): name, version, state (READY, LOADING, UNAVAILABLE) and why one is not ready.");
        v2.MapPost("/models/{name}/infer", Infer).DisableAntiforgery()
            .WithSummary("Inference: FP32 [N, C, H, W] normalised tensors or BYTES [N] encoded images, JSON or binary (Inference-Header-Content-Length); output 'logits', optionally with classification: K.")
            .Accepts<byte[]>("application/json", "application/octet-stream", "*/*")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(503).ProducesProblem(504);
    }

    private static IResult Ready(ResNetClassifier c) => c.State is (_, { } reason) ? ErrorsAndMetrics.Error(503, reason) : Results.Ok();

    private static IResult Metadata(ResNetClassifier c)
    {
        var p = c.Predictor;
        return Results.Json(new
        {
            name = c.Name,
            versions = new[] { "1" },
            platform = $"resnetsharp_{p.Engine.Name}",
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new long[] { -1, p.Input.Channels, p.Input.Height, p.Input.Width } } },
            outputs = new[] { new { name = "logits", datatype = "FP32", shape = new long[] { -1, p.Labels.Count } } },
        });
    }

    private static async Task<IResult> Infer(string name, HttpRequest request, ResNetClassifierRegistry models)
    {
        var classifier = models.Find(name);
        var aborted = request.HttpContext.RequestAborted;
        var body = await RequestBody.ReadAsync(request, classifier.Options.MaxBodyBytes, aborted);
        var infer = InferRequest.Parse(body, request.Headers[InferRequest.HeaderLength].FirstOrDefault());
        var images = infer.Input.Elements is { } encoded
            ? await Classification.PreprocessAsync(classifier, [.. encoded.Select(e => ((string?)null, e))])
            : Tensors(infer.Input, classifier);
        var logits = await Classification.LogitsAsync(classifier, images, aborted);
        return InferResponse.Create(classifier.Name, infer, classifier.Predictor, logits);
    }

    /// <summary>An FP32 [N, C, H, W] input split into its N images; any other shape is a 400 naming the one expected.</summary>
    private static float[][] Tensors(InferInput input, ResNetClassifier classifier)
    {
        var s = classifier.Predictor.Input;
        if (input.Shape is not [> 0, var c, var h, var w] || c != s.Channels || h != s.Height || w != s.Width)
            throw new ServingException(400, $"input '{input.Name}' has shape [{string.Join(", ", input.Shape)}] but the model takes FP32 [N, {s.Channels}, {s.Height}, {s.Width}] (normalised, N at least 1): resize and normalise first, or send the encoded images as BYTES.");
        int size = classifier.Predictor.ImageSize;
        return [.. Enumerable.Range(0, (int)input.Shape[0]).Select(i => input.Floats!.AsSpan(i * size, size).ToArray())];
    }
}
