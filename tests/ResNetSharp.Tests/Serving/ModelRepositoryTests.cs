using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ResNetSharp.Inference;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Serving;
using ResNetSharp.Serving.Repository;
using ResNetSharp.Tests.Cli;

namespace ResNetSharp.Tests.Serving;

// resnet serve --model-repository DIR: a checkpoint and an ONNX model file served side by side, each with its own batcher,
// answering as each does alone; a broken folder is UNAVAILABLE while the others serve, or stops the start with --strict.
public class ModelRepositoryTests(ServingModel model) : IClassFixture<ServingModel>
{
    [Fact]
    public async Task Two_models_answer_side_by_side_as_each_does_alone()
    {
        using var dir = new TempDir();
        var (checkpoint, onnx) = (WriteCheckpoint(dir, "shapes"), WriteOnnx(dir, "small"));
        File.WriteAllText(dir.Combine("shapes", "config.json"), """{"maxBatch": 4, "MaxDelayMs": 1}""");
        var image = File.ReadAllBytes(model.Square);

        string[] together = new string[3];
        await using (var server = await InProcessServer.StartAsync(new() { ModelRepository = dir.Path, Device = "cpu", MaxDelayMs = 2 }))
        {
            Assert.Equal("""[{"name":"shapes","version":"1","state":"READY","reason":null},{"name":"small","version":"1","state":"READY","reason":null}]""",
                await server.Client.GetStringAsync("/v2/repository/index"));
            together[0] = await ClassifyAsync(server, "shapes", image);
            together[1] = await ClassifyAsync(server, "small", image);
            together[2] = await ClassifyAsync(server, "small", image);
            Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/ready")).StatusCode);
            // Each model its own batcher, with its own config.json over the server's settings.
            var models = server.Services.GetRequiredService<ResNetClassifierRegistry>().Models;
            Assert.Equal((4, 1.0, 2.0), (models[0].Options.MaxBatch, models[0].Options.MaxDelayMs, models[1].Options.MaxDelayMs));
            Assert.Equal((1.0, 2.0), (await server.MetricAsync("""resnetsharp_batch_size_count{model="shapes"}"""), await server.MetricAsync("""resnetsharp_batch_size_count{model="small"}""")));
            await InProcessServer.AssertErrorAsync(await server.PostAsync("/v1/models/resnet50/classify", image), 404, "unknown model 'resnet50': this server serves 'shapes', 'small'");
            // Requests and failures are counted by model too; a name the server does not serve is no label value.
            const string Requests = "resnetsharp_requests_total{endpoint=\"/v1/models/{name}/classify\"";
            Assert.Equal((1.0, 2.0, 1.0), (await server.MetricAsync(Requests + """,model="shapes",status="200"}"""),
                await server.MetricAsync(Requests + """,model="small",status="200"}"""), await server.MetricAsync(Requests + """,model="",status="404"}""")));
            Assert.Contains("data-model=\"small\"", await server.Client.GetStringAsync("/?model=small"));
            Assert.Equal(404, (int)(await server.Client.GetAsync("/?model=resnet50")).StatusCode);
        }
        await using (var alone = await InProcessServer.StartAsync(new() { Checkpoint = checkpoint, Name = "shapes", Device = "cpu", MaxDelayMs = 2 }))
            Assert.Equal(together[0], await ClassifyAsync(alone, "shapes", image));
        await using (var alone = await InProcessServer.StartAsync(new() { ModelFile = onnx, Name = "small", MaxDelayMs = 2 }))
            Assert.Equal(together[1], await ClassifyAsync(alone, "small", image));
        Assert.Equal(together[1], together[2]);
        Assert.NotEqual(JsonDocument.Parse(together[0]).RootElement.GetProperty("predictions")[0].GetProperty("top")[0].GetProperty("label").GetString(),
            JsonDocument.Parse(together[1]).RootElement.GetProperty("predictions")[0].GetProperty("top")[0].GetProperty("label").GetString());
    }

    [Fact]
    public async Task A_broken_model_is_unavailable_while_the_others_serve_or_with_strict_stops_the_start()
    {
        using var dir = new TempDir();
        WriteOnnx(dir, "small");
        Directory.CreateDirectory(dir.Combine("broken"));
        File.WriteAllBytes(dir.Combine("broken", "best.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        await using (var server = await InProcessServer.StartUnreadyAsync(new() { ModelRepository = dir.Path, Device = "cpu" }))
        {
            var index = JsonDocument.Parse(await server.Client.GetStringAsync("/v2/repository/index")).RootElement;
            Assert.Equal(("broken", "UNAVAILABLE"), (index[0].GetProperty("name").GetString(), index[0].GetProperty("state").GetString()));
            Assert.StartsWith("the model failed to load: ", index[0].GetProperty("reason").GetString());
            Assert.Contains("best.safetensors", index[0].GetProperty("reason").GetString());
            Assert.Equal(("small", "READY"), (index[1].GetProperty("name").GetString(), index[1].GetProperty("state").GetString()));
            await InProcessServer.AssertErrorAsync(await server.Client.GetAsync("/v2/models/broken/ready"), 503, "the model failed to load");
            await InProcessServer.AssertErrorAsync(await server.PostAsync("/v2/models/broken/infer", """{"inputs": []}"""u8.ToArray(), "application/json"), 503, "the model failed to load");
            Assert.Equal(200, (int)(await server.PostAsync("/v1/models/small/classify", File.ReadAllBytes(model.Square))).StatusCode);
            Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/ready")).StatusCode);   // the failed model does not hold the others back
        }

        var strict = CliTests.Run("serve", "--model-repository", dir.Path, "--strict", "--device", "cpu", "--port", "0");
        Assert.Equal(2, strict.Code);
        var line = Assert.Single(strict.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: model 'broken' failed to load (", line);
        Assert.Contains($"fix or remove {dir.Combine("broken")}, or leave out --strict", line);
    }

    [Fact]
    public void A_bad_folder_or_config_json_is_one_error_naming_the_file_and_key()
    {
        using var dir = new TempDir();
        WriteOnnx(dir, "a");
        WriteOnnx(dir, "b");
        WriteOnnx(dir, "c");
        WriteOnnx(dir, "d");
        WriteCheckpoint(dir, "e");
        WriteOnnx(dir, "f");
        WriteOnnx(dir, "g");
        File.WriteAllText(dir.Combine("a", "config.json"), """{"MaxBach": 4}""");
        File.WriteAllText(dir.Combine("f", "config.json"), """{"Threads": -1}""");
        File.WriteAllText(dir.Combine("g", "config.json"), """{"Threads": 1}""");
        File.WriteAllText(dir.Combine("b", "config.json"), """{"MaxBatch": 0}""");
        File.WriteAllText(dir.Combine("c", "config.json"), """{"MaxBatch": "four"}""");
        File.Copy(dir.Combine("d", "d.onnx"), dir.Combine("d", "copy.onnx"));
        File.WriteAllLines(dir.Combine("e", "labels.txt"), model.Names);
        Directory.CreateDirectory(dir.Combine("no model"));

        var read = ModelRepository.Read(new ResNetClassifierOptions { ModelRepository = dir.Path });
        string Error(string name) => read.Single(m => m.Name == name).Error!.Message;
        Assert.Equal($"'{dir.Combine("a", "config.json")}': unknown key 'MaxBach': a model's config.json takes Model, Engine, Device, Precision, Threads, MaxBatch, MaxDelayMs, MaxQueue, TopK.", Error("a"));
        Assert.Equal($"model folder '{dir.Combine("b")}': config.json key 'MaxBatch' must be at least 1, not 0.", Error("b"));
        Assert.Equal($"'{dir.Combine("c", "config.json")}': key 'MaxBatch' must be a whole number, not \"four\".", Error("c"));
        Assert.StartsWith($"model folder '{dir.Combine("d")}' holds 2 model files (copy.onnx, d.onnx): put exactly one in it", Error("d"));
        Assert.StartsWith($"model folder '{dir.Combine("e")}' has a labels.txt, but best.safetensors carries its own labels", Error("e"));
        Assert.StartsWith($"model folder '{dir.Combine("no model")}': its name is the model's name in the URLs", Error("no model"));
        Assert.Equal($"model folder '{dir.Combine("f")}': config.json key 'Threads' must be 0 (one per core) or more, not -1.", Error("f"));
        var g = read.Single(m => m.Name == "g");   // each model its own intra-op threads, so that models share the cores
        Assert.Null(g.Error);
        using (var predictor = g.Options!.LoadPredictor())
            Assert.Equal(1, Assert.IsType<ResNetSharp.Inference.Engines.OnnxRuntimeEngine>(predictor.Engine).Threads);

        using var empty = new TempDir();
        var none = CliTests.Run("serve", "--model-repository", empty.Path, "--port", "0");
        Assert.Equal(2, none.Code);
        Assert.StartsWith($"error: the model repository '{empty.Path}' has no model folders", Assert.Single(none.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    // The library: AddResNetClassifierRepository, then MapResNetClassifier serves what was added.
    [Fact]
    public async Task An_app_adds_a_repository_and_maps_its_models()
    {
        using var dir = new TempDir();
        WriteOnnx(dir, "small");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddResNetClassifierRepository(dir.Path, o => o.MaxDelayMs = 1);
        await using var app = builder.Build();
        app.MapResNetClassifier();
        await app.StartAsync();
        await app.Services.GetRequiredService<ResNetClassifierRegistry>().Models.Single().WhenReady;
        var content = new ByteArrayContent(File.ReadAllBytes(model.Square));
        content.Headers.ContentType = new("image/png");
        Assert.Equal(200, (int)(await app.GetTestClient().PostAsync("/v1/models/small/classify", content)).StatusCode);
        Assert.Contains("get its models from ResNetClassifierRegistry.Models", Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<ResNetClassifier>()).Message);
        await app.StopAsync();
    }

    [Theory]
    [InlineData("give either --model-repository DIR or one model", "--model-repository", ".", "--checkpoint", "best.safetensors")]
    [InlineData("--strict applies to --model-repository", "--checkpoint", "best.safetensors", "--strict")]
    [InlineData("the model repository '/nonexistent/models' does not exist: check --model-repository.", "--model-repository", "/nonexistent/models")]
    [InlineData("--name does not apply with --model-repository", "--model-repository", ".", "--name", "x")]
    [InlineData("--threads must be 0 (one per core) or more, not -1.", "--model-repository", ".", "--threads", "-1")]
    public void Repository_flags_are_checked_with_one_error(string expected, params string[] args)
    {
        var r = CliTests.Run(["serve", .. args]);
        Assert.Equal(2, r.Code);
        Assert.Contains(expected, Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    private static async Task<string> ClassifyAsync(InProcessServer server, string name, byte[] image)
    {
        var response = await server.PostAsync($"/v1/models/{name}/classify", image);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>DIR/NAME/best.safetensors: the fixture's model as a training checkpoint, with its own normalisation and the class names reversed.</summary>
    private string WriteCheckpoint(TempDir dir, string name)
    {
        string path = Path.Combine(Directory.CreateDirectory(dir.Combine(name)).FullName, "best.safetensors");
        ResNetSharp.Runs.Checkpoint.Save(path, model.Model, new ResNetSharp.Runs.CheckpointInfo("small_resnet", model.Model.Config, [.. model.Names.Reverse()],
            [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f], new InputShape(3, 32, 32), 1));
        return path;
    }

    /// <summary>DIR/NAME/NAME.onnx: the fixture's model exported with ImageNet preprocessing and its labels.</summary>
    private string WriteOnnx(TempDir dir, string name)
    {
        string path = Path.Combine(Directory.CreateDirectory(dir.Combine(name)).FullName, name + ".onnx");
        using var predictor = Predictor.FromWeights("small_resnet", model.Weights, labelsPath: model.Labels);
        OnnxModelFile.Export(model.Model, predictor.Description, path, new() { DynamicBatch = true });
        return path;
    }
}
