using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using static ResNetSharp.Tests.Serving.InferenceProtocolTests;

namespace ResNetSharp.Tests.Serving;

// Every bad request is one status with {"error"} naming the problem; none is a stack trace or a 500.
public class ErrorTests(ServingModel model) : IClassFixture<ServingModel>
{
    private const string Classify = "/v1/models/small_resnet/classify", Infer = "/v2/models/small_resnet/infer";

    [Fact]
    public async Task Bad_images_and_bad_tensors_are_400_unknown_models_404()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, []), 400, "the request body is empty");
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, "not an image"u8.ToArray()), 400, "cannot decode image 'the request body'");
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, model.Truncated), 400, "image 'the request body' is truncated");
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, model.Truncated, "text/plain"), 400, "unsupported Content-Type 'text/plain'");
        await InProcessServer.AssertErrorAsync(await server.PostAsync("/v1/models/resnet50/classify", File.ReadAllBytes(model.Square)), 404, "unknown model 'resnet50': this server serves 'small_resnet'");
        await InProcessServer.AssertErrorAsync(await server.Client.GetAsync("/v2/models/resnet50"), 404, "unknown model 'resnet50'");

        var input = new JsonArray([.. Normalised(1, seed: 1).Select(v => (JsonNode)v)]);
        await InProcessServer.AssertErrorAsync(await PostJson(server, Fp32Input(input, 3, 1, 32, 32)), 400, "has shape [3, 1, 32, 32] but the model takes FP32 [N, 3, 32, 32]");
        await InProcessServer.AssertErrorAsync(await PostJson(server, Fp32Input(input, 2, 3, 32, 32)), 400, "has 3072 values but its shape [2, 3, 32, 32] needs 6144");
        var int64 = Fp32Input(input, 1, 3, 32, 32);
        int64["inputs"]![0]!["datatype"] = "INT64";
        await InProcessServer.AssertErrorAsync(await PostJson(server, int64), 400, "datatype 'INT64': send FP32");
        var strings = Fp32Input(new JsonArray([.. Enumerable.Range(0, 3072).Select(_ => (JsonNode)"x")]), 1, 3, 32, 32);
        await InProcessServer.AssertErrorAsync(await PostJson(server, strings), 400, "is FP32 but holds String");
        var output = Fp32Input(input, 1, 3, 32, 32);
        output["outputs"] = new JsonArray(new JsonObject { ["name"] = "probs" });
        await InProcessServer.AssertErrorAsync(await PostJson(server, output), 400, "unknown output 'probs'");
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Infer, "{\"inputs\": ["u8.ToArray(), "application/json"), 400, "malformed JSON");
        var bytesInput = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["name"] = "image", ["datatype"] = "BYTES", ["shape"] = new JsonArray(1), ["data"] = new JsonArray(Convert.ToBase64String(model.Truncated)) }) };
        await InProcessServer.AssertErrorAsync(await PostJson(server, bytesInput), 400, "is truncated");
        var binary = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["name"] = "input", ["datatype"] = "FP32", ["shape"] = new JsonArray(1, 3, 32, 32), ["parameters"] = new JsonObject { ["binary_data_size"] = 100 } }) };
        await InProcessServer.AssertErrorAsync(await PostBinary(server, binary, new byte[100]), 400, "has 100 bytes of FP32 data but its shape needs 3072 x 4 = 12288");
        Assert.Equal(0, await server.MetricAsync("resnetsharp_batch_size_count{model=\"small_resnet\"}"));   // no bad request reached the model
        Assert.Equal(12, await server.MetricTotalAsync("resnetsharp_failures_total", "reason=\"bad_request\""));
        Assert.Equal(2, await server.MetricAsync("resnetsharp_failures_total{reason=\"not_found\",model=\"\"}"));   // an unknown name is no label value
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var options = model.Options();
        options.MaxBodyMb = 1.0 / 1024;   // 1 KiB
        await using var server = await InProcessServer.StartAsync(options);
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, new byte[1025]), 413, "over the limit of 0 MiB: send smaller or fewer images per request, or start the server with a larger --max-body-mb");
        await InProcessServer.AssertErrorAsync(await PostJson(server, Fp32Input(new JsonArray([.. Normalised(1, seed: 1).Select(v => (JsonNode)v)]), 1, 3, 32, 32)), 413, "--max-body-mb");
    }

    // A 200-image request against a queue of 4 and batches of 1: the queue fills far faster than forward passes empty it.
    [Fact]
    public async Task A_full_queue_is_503_with_retry_after()
    {
        var options = model.Options();
        (options.MaxQueue, options.MaxBatch) = (4, 1);
        await using var server = await InProcessServer.StartAsync(options);
        var data = new byte[200 * 3072 * 4];
        var header = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["name"] = "input", ["datatype"] = "FP32", ["shape"] = new JsonArray(200, 3, 32, 32), ["parameters"] = new JsonObject { ["binary_data_size"] = data.Length } }) };
        var response = await PostBinary(server, header, data);
        await InProcessServer.AssertErrorAsync(response, 503, "the queue is full (4 images waiting): retry after the Retry-After seconds, or start the server with a larger --max-queue");
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.True(await server.MetricAsync("resnetsharp_batch_size_count{model=\"small_resnet\"}") < 200);   // the rest of its images were dropped
    }

    // The batcher waits 1.5 s for a second image; the request's limit is 0.2 s: 504, and its image never runs.
    [Fact]
    public async Task A_request_past_the_timeout_is_504_and_its_work_is_dropped()
    {
        var options = model.Options();
        (options.TimeoutS, options.MaxDelayMs, options.MaxBatch) = (0.2, 1500, 64);
        await using var server = await InProcessServer.StartAsync(options);
        await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, File.ReadAllBytes(model.Square)), 504, "longer than --timeout-s 0.2 s and was dropped");
        await Task.Delay(1800);
        Assert.Equal(0, await server.MetricAsync("resnetsharp_batch_size_count{model=\"small_resnet\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_failures_total{reason=\"timeout\",model=\"small_resnet\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_requests_total{endpoint=\"/v1/models/{name}/classify\",model=\"small_resnet\",status=\"504\"}"));
    }

    private static Task<HttpResponseMessage> PostJson(InProcessServer server, JsonNode request) =>
        server.PostAsync(Infer, Json(request), "application/json");
}
