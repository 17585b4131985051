using System.Text.Json;

namespace ResNetSharp.Tests.Serving;

// GET /v2/repository/index: the served models with their state, read-only; a model that failed to load says why.
public class RepositoryIndexTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task The_index_lists_the_model_and_its_state()
    {
        await using (var server = await InProcessServer.StartAsync(model.Options()))
            Assert.Equal("""[{"name":"small_resnet","version":"1","state":"READY","reason":null}]""", await server.Client.GetStringAsync("/v2/repository/index"));

        var broken = new ResNetSharp.Serving.ResNetClassifierOptions { Checkpoint = "/nonexistent/best.safetensors", Name = "broken" };
        await using var failed = await InProcessServer.StartUnreadyAsync(broken);
        var index = JsonDocument.Parse(await failed.Client.GetStringAsync("/v2/repository/index")).RootElement[0];
        Assert.Equal(("broken", "UNAVAILABLE"), (index.GetProperty("name").GetString(), index.GetProperty("state").GetString()));
        Assert.StartsWith("the model failed to load: checkpoint not found: '/nonexistent/best.safetensors'", index.GetProperty("reason").GetString());
    }
}
