using System.Net.Http.Json;
using System.Text.Json;
using ResNetSharp.Inference;

namespace ResNetSharp.Tests.Serving;

public class ClassifyTests(ServingModel model) : IClassFixture<ServingModel>
{
    // resnet predict's path (the Predictor on the eager TorchSharp model) is the reference: the server must give its
    // classes in its order, and its logits and probabilities, with either engine (fp32: within 1e-4 relative).
    [Theory]
    [InlineData("torch")]
    [InlineData("onnxruntime")]
    public async Task Classify_answers_resnet_predicts_top_k_with_either_engine(string engine)
    {
        await using var server = await InProcessServer.StartAsync(model.Options(engine));
        using var predictor = Predictor.FromWeights("small_resnet", model.Weights, labelsPath: model.Labels);
        foreach (var image in new[] { model.Square, model.Wide })
        {
            var response = await server.PostAsync("/v1/models/small_resnet/classify?topk=10", File.ReadAllBytes(image));
            Assert.Equal(200, (int)response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("small_resnet", body.GetProperty("model").GetString());
            var answer = body.GetProperty("predictions").EnumerateArray().Single();
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("file").ValueKind);
            AssertSame(predictor.Predict(image, 10), answer.GetProperty("top"));
        }
    }

    [Fact]
    public async Task Multipart_files_and_the_TorchServe_path_answer_each_file_in_order()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        using var predictor = Predictor.FromWeights("small_resnet", model.Weights, labelsPath: model.Labels);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(model.Wide)), "file", "wide.png" },
            { new ByteArrayContent(File.ReadAllBytes(model.Square)), "file", "square.png" },
        };
        var response = await server.Client.PostAsync("/predictions/small_resnet", form);
        Assert.Equal(200, (int)response.StatusCode);
        var answers = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(["wide.png", "square.png"], answers.Select(a => a.GetProperty("file").GetString()));
        AssertSame(predictor.Predict(model.Wide, 5), answers[0].GetProperty("top"));   // --topk's default: 5
        AssertSame(predictor.Predict(model.Square, 5), answers[1].GetProperty("top"));
    }

    [Fact]
    public void Top_k_is_ranked_by_logit_even_where_probabilities_are_equal()
    {
        using var predictor = Predictor.FromWeights("small_resnet", model.Weights, labelsPath: model.Labels);
        // exp(-800) underflows to 0 in double: classes 1, 2 and 4 all have probability 0, their logits still rank them.
        float[] logits = [0, -900, -800, 10, -850, -2000, -2000, -2000, -2000, -2000];
        var top = predictor.TopK(logits, 5);
        Assert.Equal([3, 0, 2, 4, 1], top.Select(p => p.Index));
        Assert.Equal(1 / (1 + Math.Exp(-10)), top[0].Prob, 1e-12);
        Assert.Equal([0.0, 0.0, 0.0], top.Skip(2).Select(p => p.Prob));
        Assert.Equal("class c", top[2].Label);
    }

    internal static void AssertSame(IReadOnlyList<Prediction> expected, JsonElement top)
    {
        var actual = top.EnumerateArray().ToArray();
        Assert.Equal(expected.Select(p => p.Index), actual.Select(a => a.GetProperty("index").GetInt32()));
        Assert.Equal(expected.Select(p => p.Label), actual.Select(a => a.GetProperty("label").GetString()));
        double scale = Math.Max(1e-3, expected.Max(p => Math.Abs(p.Logit)));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i].Logit - actual[i].GetProperty("logit").GetDouble()) <= 1e-4 * scale, $"logit {i}");
            Assert.Equal(expected[i].Prob, actual[i].GetProperty("prob").GetDouble(), 1e-5);
        }
    }
}
