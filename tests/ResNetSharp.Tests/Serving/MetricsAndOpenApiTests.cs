using System.Net.Http.Json;
using System.Text.Json;

namespace ResNetSharp.Tests.Serving;

public class MetricsAndOpenApiTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task Metrics_count_requests_batches_and_failures_beside_the_runtimes_own()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        Assert.Equal(200, (int)(await server.PostAsync("/v1/models/small_resnet/classify", File.ReadAllBytes(model.Square))).StatusCode);
        Assert.Equal(400, (int)(await server.PostAsync("/v1/models/small_resnet/classify", [1, 2, 3])).StatusCode);
        Assert.Equal(1, await server.MetricAsync("resnetsharp_requests_total{endpoint=\"/v1/models/{name}/classify\",model=\"small_resnet\",status=\"200\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_requests_total{endpoint=\"/v1/models/{name}/classify\",model=\"small_resnet\",status=\"400\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_failures_total{reason=\"bad_request\",model=\"small_resnet\"}"));
        Assert.Equal(2, await server.MetricAsync("resnetsharp_request_duration_seconds_count{endpoint=\"/v1/models/{name}/classify\",model=\"small_resnet\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_batch_size_count{model=\"small_resnet\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_queue_wait_seconds_count{model=\"small_resnet\"}"));
        Assert.Equal(1, await server.MetricAsync("resnetsharp_inference_duration_seconds_count{model=\"small_resnet\"}"));
        var text = await server.Client.GetStringAsync("/metrics");
        Assert.Contains("# TYPE resnetsharp_queue_depth gauge", text);
        Assert.Contains("process_working_set_bytes ", text);   // the runtime's own
        Assert.Contains("dotnet_collection_count_total", text);
    }

    [Fact]
    public async Task OpenApi_describes_the_classify_and_protocol_endpoints_and_the_page_is_served()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        var paths = (await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");
        foreach (var path in new[] { "/v1/models/{name}/classify", "/predictions/{name}", "/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/{name}", "/v2/models/{name}/ready", "/v2/models/{name}/infer", "/metrics" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        var classify = paths.GetProperty("/v1/models/{name}/classify").GetProperty("post");
        Assert.True(classify.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.True(classify.GetProperty("responses").TryGetProperty("413", out _));

        var page = await server.Client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-model=\"small_resnet\"", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", ""));   // nothing loaded from elsewhere: works offline
    }
}
