using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Evaluation;
using ResNetSharp.Runs;
using ResNetSharp.Tests.Training;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Cli;

/// <summary>
/// <c>resnet quantize</c>, <c>export --format onnx</c> and <c>--model-file</c> end to end on the tiny trained model,
/// over a folder of its 16x16 images (class folders named so that their sorted order is the class order).
/// </summary>
[Collection(TinyRunCollection.Name)]
public class ModelFileTests(TinyRun run)
{
    [Fact]
    public void Quantized_and_exported_model_files_predict_and_evaluate_as_the_checkpoint_does()
    {
        using var dir = new TempDir();
        var (checkpoint, data, pngs) = Prepare(dir);

        var q = CliTests.Run("quantize", "--checkpoint", checkpoint, "--calibrate", data, "--calibration-images", "64", "--method", "entropy", "--out", dir.Combine("int8.onnx"));
        Assert.True(q.Code == 0, q.Err);
        Assert.Contains("calibrated on 64 images", q.Out);
        Assert.Matches(@"\d+ operators run in int8, \d+ in fp32", q.Out);
        var export = CliTests.Run("export", "--checkpoint", checkpoint, "--format", "onnx", "--out", dir.Combine("fp32.onnx"));
        Assert.True(export.Code == 0, export.Err);

        var fp32 = Eval("--checkpoint", checkpoint, "--data", data, "--engine", "torch");
        Assert.Equal(60, fp32.GetProperty("count").GetInt32());
        // The fp32 ONNX file is the same model: the same predictions as the checkpoint, full agreement.
        var exported = Eval("--model-file", dir.Combine("fp32.onnx"), "--data", data, "--compare-to", checkpoint);
        Assert.Equal(fp32.GetProperty("top1").GetDouble(), exported.GetProperty("top1").GetDouble());
        Assert.Equal(1.0, exported.GetProperty("agreement").GetDouble());
        // The int8 file: at least 90% of predictions agree (measured: see the report), accuracy within 10 points.
        var int8 = Eval("--model-file", dir.Combine("int8.onnx"), "--data", data, "--compare-to", dir.Combine("fp32.onnx"));
        Assert.True(int8.GetProperty("agreement").GetDouble() >= 0.9, int8.ToString());
        Assert.InRange(int8.GetProperty("top1").GetDouble(), fp32.GetProperty("top1").GetDouble() - 0.1, fp32.GetProperty("top1").GetDouble() + 0.1);

        int torchThreads = TorchSharp.torch.get_num_threads();
        var bench = CliTests.Run("bench", "--mode", "infer", "--model-file", dir.Combine("int8.onnx"), "--batch-size", "4", "--steps", "2", "--warmup", "1", "--threads", "3", "--json");
        Assert.Equal(3, TorchSharp.torch.get_num_threads());   // the CLI sets torch's pool, the process's, too (3: not the default of a 2-core machine)
        TorchSharp.torch.set_num_threads(torchThreads);   // this test process's other tests keep theirs
        Assert.True(bench.Code == 0, bench.Err);
        Assert.True(JsonDocument.Parse(bench.Out).RootElement.GetProperty("infer_images_per_sec").GetDouble() > 0, bench.Out);
        Assert.Equal(3, JsonDocument.Parse(bench.Out).RootElement.GetProperty("threads").GetInt32());   // --threads reaches the ONNX Runtime session

        var fromCheckpoint = Top1("--checkpoint", checkpoint, pngs);
        Assert.Equal(fromCheckpoint, Top1("--model-file", dir.Combine("fp32.onnx"), pngs));
        var fromInt8 = Top1("--model-file", dir.Combine("int8.onnx"), pngs);
        Assert.True(fromCheckpoint.Zip(fromInt8).Count(p => p.First == p.Second) >= 9, $"{string.Join(",", fromCheckpoint)} vs {string.Join(",", fromInt8)}");
    }

    [Fact]
    public void Eval_with_flip_tta_matches_the_library()
    {
        using var dir = new TempDir();
        var (checkpoint, data, _) = Prepare(dir);
        var cli = Eval("--checkpoint", checkpoint, "--data", data, "--engine", "torch", "--channels-last", "false", "--tta", "flip");
        Assert.Equal("flip", cli.GetProperty("tta").GetString());

        var (model, _) = Checkpoint.Load(checkpoint);
        using var _ = model;
        using var source = DataSpec.Open(data, imageSize: 16);
        using var loader = source.CreateLoader(Split.Val, 256, CPU, 0, Augmentation.None);
        var library = Evaluator.Run(model, loader, source.Classes, tta: TestTimeAugmentation.Flip);
        Assert.Equal(library.Top1, cli.GetProperty("top1").GetDouble());
        Assert.Equal(library.Loss, cli.GetProperty("loss").GetDouble(), 1e-5);
    }

    private static JsonElement Eval(params string[] args)
    {
        var r = CliTests.Run(["eval", "--device", "cpu", "--json", .. args]);
        Assert.True(r.Code == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }

    private static int[] Top1(string flag, string file, string[] pngs)
    {
        var r = CliTests.Run(["predict", flag, file, "--json", "--topk", "1", .. pngs]);
        Assert.True(r.Code == 0, r.Err);
        return [.. r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("top")[0].GetProperty("index").GetInt32())];
    }

    /// <summary>The tiny run's checkpoint with classes named "0-circle" ... "9-gradient", a folder of 120 training and 60 validation PNGs, and 10 of them.</summary>
    private (string Checkpoint, string Data, string[] Pngs) Prepare(TempDir dir)
    {
        var (model, info) = Checkpoint.Load(run.Result.BestCheckpoint);
        using var _ = model;
        var classes = SyntheticShapes.Classes.Select((c, i) => $"{i}-{c}").ToArray();
        string checkpoint = dir.Combine("renamed.safetensors");
        Checkpoint.Save(checkpoint, model, info with { Classes = classes });
        using var tiny = TinyData.Open(120, 60);
        var pngs = new List<string>();
        foreach (var (split, name) in new[] { (Split.Train, "train"), (Split.Val, "val") })
        {
            var set = tiny.Get(split);
            for (int i = 0; i < set.Labels.shape[0]; i++)
            {
                string folder = Directory.CreateDirectory(dir.Combine("data", name, classes[set.Labels[i].item<long>()])).FullName;
                string png = Path.Combine(folder, $"{i}.png");
                PredictEvalTests.WritePng(set.Images[i], png);
                if (split == Split.Val && pngs.Count < 10) pngs.Add(png);
            }
        }
        return (checkpoint, "folder:" + dir.Combine("data"), [.. pngs]);
    }
}
