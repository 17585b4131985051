using System.Net.Http.Json;
using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Evaluation;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runs;
using ResNetSharp.Serving;
using ResNetSharp.Tests.Data;
using ResNetSharp.Tests.Serving;
using ResNetSharp.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

/// <summary>
/// Greyscale data end to end: the synthetic shapes in grey, written as MNIST IDX files and read back through
/// <c>mnist:DIR</c>, train a one-channel model; eval, predict (colour files converted to grey), ONNX export and serve
/// all take its one channel.
/// </summary>
public class OneChannelTests
{
    [Fact]
    public async Task A_greyscale_dataset_trains_a_one_channel_model_that_evaluates_predicts_exports_and_serves()
    {
        using var dir = new TempDir();
        WriteGreyShapes(dir.Combine("data"), train: 320, val: 100);
        using var data = (InMemoryDataSource)DataSpec.Open($"mnist:{dir.Combine("data")}");
        Assert.Equal((1, 16, 16), data.InputSize);
        var result = new Trainer(new TrainOptions
        {
            Model = "small_resnet", Epochs = 3, BatchSize = 32, Lr = 0.1, Device = "cpu", Seed = 1, OutDir = dir.Combine("run"), Augment = "crop,flip",
        }, data: data).Run();
        string best = result.BestCheckpoint;
        var (model, info) = Checkpoint.Load(best);
        using var _ = model;
        Assert.Equal(1, model.Config.InChannels);
        Assert.Equal(1, info.InputSize.Channels);

        using (var loader = data.CreateLoader(Split.Val, 50, CPU, 0, Augmentation.None))
        {
            var eval = Evaluator.Run(model, loader, data.Classes);
            Assert.True(eval.Top1 > 0.2, $"top-1 {eval.Top1} on grey shapes is no better than chance (0.1)");
        }

        // A colour PNG: the predictor must see its luma, 0.299 R + 0.587 G + 0.114 B, as the one channel.
        string png = dir.Combine("colour.png");
        TestImages.Write(png, 16, 16, (x, y) => new SKColor((byte)(x * 15), (byte)(y * 15), (byte)(255 - x * 8)));
        float[] grey = [.. Enumerable.Range(0, 256).Select(p => (float)Math.Round(0.299 * (p % 16 * 15) + 0.587 * (p / 16 * 15) + 0.114 * (255 - p % 16 * 8)))];
        float[] expected;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.eval();
            var x = (tensor(grey, [1, 1, 16, 16]) / 255 - info.Mean[0]) / info.Std[0];
            expected = model.call(x)[0].data<float>().ToArray();
        }
        using var torchPredictor = Predictor.FromCheckpoint(best);
        using var onnxPredictor = Predictor.FromCheckpoint(best, engine: new EngineSettings(EngineKind.OnnxRuntime));   // runs the ONNX export
        foreach (var predictor in new[] { torchPredictor, onnxPredictor })
        {
            var top = predictor.Predict(png, k: 10);
            foreach (var p in top) Assert.Equal(expected[p.Index], p.Logit, 1e-3);
        }

        await using var server = await InProcessServer.StartAsync(new ResNetClassifierOptions { Checkpoint = best, Name = "grey", Device = "cpu", MaxDelayMs = 2 });
        var response = await server.PostAsync("/v1/models/grey/classify?topk=10", File.ReadAllBytes(png));
        Assert.Equal(200, (int)response.StatusCode);
        var served = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().Single().GetProperty("top");
        foreach (var p in served.EnumerateArray())
            Assert.Equal(expected[p.GetProperty("index").GetInt32()], p.GetProperty("logit").GetDouble(), 1e-3);
    }

    /// <summary>The synthetic shapes at 16x16 in grey (luma), as gzipped MNIST IDX files.</summary>
    private static void WriteGreyShapes(string folder, int train, int val)
    {
        Directory.CreateDirectory(folder);
        foreach (var (split, count, name) in new[] { (Split.Train, train, "train"), (Split.Val, val, "t10k") })
        {
            using var shapes = SyntheticShapes.Generate(count, 0, split, size: 16);
            using var scope = NewDisposeScope();
            var luma = (shapes.Images.to(float32) * tensor(new[] { 0.299f, 0.587f, 0.114f }).view(1, 3, 1, 1)).sum(1).round().clamp(0, 255).to(ScalarType.Byte);
            File.WriteAllBytes(Path.Combine(folder, $"{name}-images-idx3-ubyte.gz"),
                IdxFiles.Gzip(IdxFiles.Bytes(Idx.ElementType.UInt8, [count, 16, 16], luma.contiguous().data<byte>().ToArray())));
            File.WriteAllBytes(Path.Combine(folder, $"{name}-labels-idx1-ubyte.gz"),
                IdxFiles.Gzip(IdxFiles.Bytes(Idx.ElementType.UInt8, [count], [.. shapes.Labels.data<long>().ToArray().Select(l => (byte)l)])));
        }
    }
}
