using System.Net.Http.Json;
using System.Text.Json;

namespace ResNetSharp.Tests.Serving;

public class BatchingTests(ServingModel model) : IClassFixture<ServingModel>
{
    // 32 concurrent single-image requests with --max-batch 8: fewer forward passes than requests, none over 8 images
    // (from the batch-size histogram), every image run once, and each answer the one it gets when sent alone.
    [Fact]
    public async Task Concurrent_requests_are_batched_up_to_max_batch_with_the_answers_of_single_requests()
    {
        var options = model.Options();
        (options.MaxBatch, options.MaxDelayMs) = (8, 50);
        await using var server = await InProcessServer.StartAsync(options);
        var images = Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? model.Square : model.Wide).Select(File.ReadAllBytes).ToArray();
        var together = await Task.WhenAll(images.Select(image => Top(server, image)));

        double passes = await server.MetricAsync("resnetsharp_batch_size_count{model=\"small_resnet\"}");
        Assert.InRange(passes, 4, 31);
        Assert.Equal(32, await server.MetricAsync("resnetsharp_batch_size_sum{model=\"small_resnet\"}"));
        Assert.Equal(passes, await server.MetricAsync("resnetsharp_batch_size_bucket{model=\"small_resnet\",le=\"8\"}"));
        Assert.Equal(0, await server.MetricAsync("resnetsharp_queue_depth{model=\"small_resnet\"}"));

        for (int i = 0; i < 2; i++)
        {
            var alone = await Top(server, images[i]);
            for (int j = 0; j < 32; j += 2) InferenceProtocolTests.AssertLogits([alone], [together[i + j]]);
        }
    }

    private static async Task<float[]> Top(InProcessServer server, byte[] image)
    {
        var response = await server.PostAsync("/v1/models/small_resnet/classify?topk=10", image);
        Assert.Equal(200, (int)response.StatusCode);
        var logits = new float[10];
        foreach (var p in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0].GetProperty("top").EnumerateArray())
            logits[p.GetProperty("index").GetInt32()] = p.GetProperty("logit").GetSingle();
        return logits;
    }
}
