using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResNetSharp.Tests.Serving;

public class InferenceProtocolTests(ServingModel model) : IClassFixture<ServingModel>
{
    private const string Infer = "/v2/models/small_resnet/infer";

    [Fact]
    public async Task Server_and_model_metadata_health_and_readiness()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        var v2 = await server.Client.GetFromJsonAsync<JsonElement>("/v2");
        Assert.Equal("resnetsharp", v2.GetProperty("name").GetString());
        Assert.Equal(["binary_tensor_data", "classification"], v2.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
        foreach (var path in new[] { "/v2/health/live", "/v2/health/ready", "/v2/models/small_resnet/ready" })
            Assert.Equal(200, (int)(await server.Client.GetAsync(path)).StatusCode);
        var meta = await server.Client.GetFromJsonAsync<JsonElement>("/v2/models/small_resnet");
        Assert.Equal("small_resnet", meta.GetProperty("name").GetString());
        var input = meta.GetProperty("inputs")[0];
        Assert.Equal(("input", "FP32"), (input.GetProperty("name").GetString(), input.GetProperty("datatype").GetString()));
        Assert.Equal([-1, 3, 32, 32], input.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var output = meta.GetProperty("outputs")[0];
        Assert.Equal("logits", output.GetProperty("name").GetString());
        Assert.Equal([-1, 10], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));

        // Shutting down: readiness turns 503 at once, while requests that arrive are still answered.
        server.StopApplication();
        await InProcessServer.AssertErrorAsync(await server.Client.GetAsync("/v2/health/ready"), 503, "shutting down");
        Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(200, (int)(await server.PostAsync("/v1/models/small_resnet/classify", File.ReadAllBytes(model.Square))).StatusCode);
    }

    [Fact]
    public async Task A_model_that_fails_to_load_makes_readiness_and_inference_503_naming_the_cause()
    {
        var options = model.Options();
        (options.Model, options.Weights, options.Labels, options.Checkpoint) = (null, null, null, "/nonexistent/best.safetensors");
        await using var server = await InProcessServer.StartUnreadyAsync(options);
        await InProcessServer.AssertErrorAsync(await server.Client.GetAsync("/v2/health/ready"), 503, "the model failed to load: checkpoint not found: '/nonexistent/best.safetensors'");
        await InProcessServer.AssertErrorAsync(await server.PostAsync("/v1/models/resnet/classify", File.ReadAllBytes(model.Square)), 503, "failed to load");
        Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/live")).StatusCode);
    }

    // The same FP32 batch as flat JSON, nested JSON and binary data gives the eager model's logits; a binary output
    // comes back as little-endian floats after the JSON header.
    [Theory]
    [InlineData("torch")]
    [InlineData("onnxruntime")]
    public async Task Fp32_tensors_as_flat_nested_or_binary_data_give_the_models_logits(string engine)
    {
        await using var server = await InProcessServer.StartAsync(model.Options(engine));
        var input = Normalised(2, seed: 3);
        var expected = model.Logits(input, 2);

        var flat = await server.PostAsync(Infer, Json(Fp32Input(new JsonArray([.. input.Select(v => (JsonNode)v)]), 2, 3, 32, 32)), "application/json");
        AssertLogits(expected, await JsonLogits(flat));

        var nested = new JsonArray([.. Enumerable.Range(0, 2).Select(n => (JsonNode)new JsonArray([.. Enumerable.Range(0, 3).Select(c =>
            (JsonNode)new JsonArray([.. Enumerable.Range(0, 32).Select(y => (JsonNode)new JsonArray([.. Enumerable.Range(0, 32).Select(x =>
                (JsonNode)input[((n * 3 + c) * 32 + y) * 32 + x])]))]))]))]);
        AssertLogits(expected, await JsonLogits(await server.PostAsync(Infer, Json(Fp32Input(nested, 2, 3, 32, 32)), "application/json")));

        var bytes = new byte[input.Length * 4];
        for (int i = 0; i < input.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), input[i]);
        var header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["name"] = "input", ["datatype"] = "FP32", ["shape"] = new JsonArray(2, 3, 32, 32), ["parameters"] = new JsonObject { ["binary_data_size"] = bytes.Length } }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["binary_data"] = true } }),
        };
        var response = await PostBinary(server, header, bytes);
        Assert.Equal(200, (int)response.StatusCode);
        var (json, data) = await SplitBinary(response);
        Assert.Equal(80, json.GetProperty("outputs")[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        var logits = Enumerable.Range(0, 20).Select(i => BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4))).ToArray();
        AssertLogits(expected, [logits[..10], logits[10..]]);
    }

    // classification: K gives "prob:index:label" strings, best first, with the softmax of the model's logits.
    [Fact]
    public async Task The_classification_extension_gives_prob_index_label_best_first()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        var input = Normalised(1, seed: 4);
        var expected = model.Logits(input, 1)[0];
        var request = Fp32Input(new JsonArray([.. input.Select(v => (JsonNode)v)]), 1, 3, 32, 32);
        request["outputs"] = new JsonArray(new JsonObject { ["name"] = "logits", ["parameters"] = new JsonObject { ["classification"] = 3 } });
        var output = (await (await server.PostAsync(Infer, Json(request), "application/json")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0];
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal([1, 3], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        double sum = expected.Sum(l => Math.Exp(l));
        var best = Enumerable.Range(0, 10).OrderByDescending(i => expected[i]).Take(3).ToArray();
        var parts = output.GetProperty("data").EnumerateArray().Select(e => e.GetString()!.Split(':')).ToArray();
        Assert.Equal(best, parts.Select(p => int.Parse(p[1])));
        Assert.Equal(best.Select(i => model.Names[i]), parts.Select(p => p[2]));
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Exp(expected[best[i]]) / sum, double.Parse(parts[i][0], System.Globalization.CultureInfo.InvariantCulture), 1e-5);
    }

    // BYTES elements are encoded images, preprocessed by the server exactly as the classify endpoint does.
    [Fact]
    public async Task Bytes_inputs_as_base64_or_binary_are_classified_like_uploads()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        byte[][] images = [File.ReadAllBytes(model.Square), File.ReadAllBytes(model.Wide)];
        var expected = new List<float[]>();
        foreach (var image in images)
        {
            var top = (await (await server.PostAsync("/v1/models/small_resnet/classify?topk=10", image)).Content.ReadFromJsonAsync<JsonElement>())
                .GetProperty("predictions")[0].GetProperty("top").EnumerateArray();
            var row = new float[10];
            foreach (var p in top) row[p.GetProperty("index").GetInt32()] = p.GetProperty("logit").GetSingle();
            expected.Add(row);
        }
        var base64 = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["name"] = "image", ["datatype"] = "BYTES", ["shape"] = new JsonArray(2), ["data"] = new JsonArray([.. images.Select(i => (JsonNode)Convert.ToBase64String(i))]) }) };
        AssertLogits([.. expected], await JsonLogits(await server.PostAsync(Infer, Json(base64), "application/json")));

        using var elements = new MemoryStream();
        foreach (var image in images)
        {
            elements.Write(BitConverter.GetBytes(image.Length));   // little-endian on x64 and arm64
            elements.Write(image);
        }
        var header = new JsonObject { ["inputs"] = new JsonArray(new JsonObject { ["name"] = "image", ["datatype"] = "BYTES", ["shape"] = new JsonArray(2), ["parameters"] = new JsonObject { ["binary_data_size"] = elements.Length } }) };
        AssertLogits([.. expected], await JsonLogits(await PostBinary(server, header, elements.ToArray())));
    }

    internal static float[] Normalised(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n * 3 * 32 * 32).Select(_ => (float)(random.NextDouble() * 4 - 2))];
    }

    internal static JsonObject Fp32Input(JsonNode data, params int[] shape) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject { ["name"] = "input", ["datatype"] = "FP32", ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode)s)]), ["data"] = data.DeepClone() }),
    };

    internal static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    internal static Task<HttpResponseMessage> PostBinary(InProcessServer server, JsonNode header, byte[] data)
    {
        var json = Json(header);
        var content = new ByteArrayContent([.. json, .. data]);
        content.Headers.ContentType = new("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString());
        return server.Client.PostAsync(Infer, content);
    }

    private static async Task<(JsonElement Json, byte[] Data)> SplitBinary(HttpResponseMessage response)
    {
        int length = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single());
        var body = await response.Content.ReadAsByteArrayAsync();
        return (JsonDocument.Parse(body.AsMemory(0, length)).RootElement, body[length..]);
    }

    private static async Task<float[][]> JsonLogits(HttpResponseMessage response)
    {
        Assert.Equal(200, (int)response.StatusCode);
        var output = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outputs")[0];
        Assert.Equal(("logits", "FP32"), (output.GetProperty("name").GetString(), output.GetProperty("datatype").GetString()));
        var data = output.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        int n = output.GetProperty("shape")[0].GetInt32();
        return [.. Enumerable.Range(0, n).Select(i => data[(i * 10)..((i + 1) * 10)])];
    }

    internal static void AssertLogits(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int n = 0; n < expected.Length; n++)
        {
            double scale = Math.Max(1e-3, expected[n].Max(Math.Abs));
            for (int j = 0; j < expected[n].Length; j++)
                Assert.True(Math.Abs(expected[n][j] - actual[n][j]) <= 1e-4 * scale, $"image {n} class {j}: {expected[n][j]} vs {actual[n][j]}");
        }
    }
}
