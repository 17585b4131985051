using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ResNetSharp.Serving;

namespace ResNetSharp.Tests.Serving;

// ResNetClassifierOptions through IOptions<T>, as every ASP.NET Core service: appsettings.json, then environment variables over it.
public class ConfigurationTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task Options_bind_from_json_and_the_environment_over_it()
    {
        using var temp = new TempDir();
        var settings = temp.Combine("appsettings.json");
        File.WriteAllText(settings, $$"""
            { "ResNetClassifier": { "Model": "small_resnet", "Weights": "{{model.Weights}}", "Labels": "{{model.Labels}}", "Device": "cpu",
                                    "MaxBatch": 8, "TopK": 3, "RateLimit": 50, "ProtectMetrics": true } }
            """);
        string prefix = $"RESNETSHARP_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "ResNetClassifier__MaxBatch", "4");
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Configuration.AddJsonFile(settings).AddEnvironmentVariables(prefix);
            builder.WebHost.UseTestServer();
            builder.Services.AddResNetClassifier();
            await using var app = builder.Build();
            app.MapResNetClassifier();
            await app.StartAsync();
            var options = app.Services.GetRequiredService<IOptions<ResNetClassifierOptions>>().Value;
            Assert.Equal((4, 3, 50.0, true, 40_000_000L), (options.MaxBatch, options.TopK, options.RateLimit, options.ProtectMetrics, options.MaxPixels));
            await app.Services.GetRequiredService<ResNetClassifier>().WhenReady;
            var content = new ByteArrayContent(File.ReadAllBytes(model.Square));
            content.Headers.ContentType = new("image/png");
            var answer = await app.GetTestClient().PostAsync("/v1/models/small_resnet/classify", content);
            Assert.Equal(200, (int)answer.StatusCode);
            Assert.Equal(3, System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions")[0].GetProperty("top").GetArrayLength());
            await app.StopAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "ResNetClassifier__MaxBatch", null);
        }
    }

    [Fact]
    public async Task Invalid_options_stop_the_start_with_one_line()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            { ["ResNetClassifier:Checkpoint"] = "best.safetensors", ["ResNetClassifier:MaxQueue"] = "0" });
        builder.WebHost.UseTestServer();
        builder.Services.AddResNetClassifier();
        await using var app = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Equal("--max-queue must be at least 1, not 0.", e.Message);
    }
}
