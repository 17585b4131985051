using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runs;
using ResNetSharp.Runtime;
using ResNetSharp.Tests.Cli;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

[Collection(TinyRunCollection.Name)]
public class PredictEvalTests(TinyRun run)
{
    [Fact]
    public void Predict_on_png_files_agrees_with_the_model_on_the_same_pixels()
    {
        using var data = TinyData.Open(640, 200);
        var val = data.Get(Split.Val);
        using var predictor = Predictor.FromCheckpoint(run.Result.BestCheckpoint);
        var (model, info) = Checkpoint.Load(run.Result.BestCheckpoint);
        using var _ = model;
        int agree = 0, correct = 0;
        const int n = 10;
        for (int i = 0; i < n; i++)
        {
            string png = Path.Combine(run.Dir.Path, $"val{i}.png");
            WritePng(val.Images[i], png);
            var top = predictor.Predict(png, k: 3);
            Assert.Equal(3, top.Count);
            Assert.True(top[0].Prob >= top[1].Prob && top[1].Prob >= top[2].Prob);
            Assert.Equal(info.Classes[top[0].Index], top[0].Label);
            // Independent path: normalise the uint8 pixels by hand and run the model.
            using var scope = NewDisposeScope();
            var mean = tensor(info.Mean).view(3, 1, 1);
            var std = tensor(info.Std).view(3, 1, 1);
            var x = ((val.Images[i].to(float32) / 255 - mean) / std).unsqueeze(0);
            var logits = model.forward(x);
            long expected = logits.argmax(1).item<long>();
            if (top[0].Index == expected) agree++;
            Assert.Equal(logits[0, top[0].Index].item<float>(), top[0].Logit, 1e-4);
            if (top[0].Index == val.Labels[i].item<long>()) correct++;
        }
        Assert.Equal(n, agree);
        Assert.True(correct >= 5, $"{correct}/{n} correct");
    }

    [Fact]
    public void Batched_and_fused_prediction_agree_with_one_image_at_a_time()
    {
        using var data = TinyData.Open(640, 200);
        var val = data.Get(Split.Val);
        string[] pngs = [.. Enumerable.Range(0, 10).Select(i => Path.Combine(run.Dir.Path, $"batch{i}.png"))];
        for (int i = 0; i < pngs.Length; i++) WritePng(val.Images[i], pngs[i]);
        using var predictor = Predictor.FromCheckpoint(run.Result.BestCheckpoint);
        using var fused = Predictor.FromCheckpoint(run.Result.BestCheckpoint, engine: new EngineSettings(Fused: true));
        using var onnx = Predictor.FromCheckpoint(run.Result.BestCheckpoint, engine: new EngineSettings(EngineKind.OnnxRuntime));
        var single = pngs.Select(png => predictor.Predict(png, k: 3)).ToList();
        foreach (var (p, batchSize) in new[] { (predictor, 4), (fused, 32), (onnx, 3) })   // batches of 4, 4 and 2; one of 10; 3, 3, 3 and 1
        {
            var batched = p.Predict(pngs, k: 3, batchSize: batchSize).ToList();
            Assert.Equal(pngs, batched.Select(b => b.Image));
            for (int i = 0; i < pngs.Length; i++)
            {
                Assert.Equal(single[i].Select(t => t.Index), batched[i].Top.Select(t => t.Index));
                for (int j = 0; j < 3; j++) Assert.Equal(single[i][j].Logit, batched[i].Top[j].Logit, 1e-4);
            }
        }
        var cli = CliTests.Run(["predict", "--checkpoint", run.Result.BestCheckpoint, "--device", "cpu", "--fused", "--json", "--topk", "1", "--batch-size", "3", .. pngs]);
        Assert.True(cli.Code == 0, cli.Err);
        var lines = cli.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(single.Select(t => t[0].Index), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("top")[0].GetProperty("index").GetInt32()));
    }

    [Fact]
    public void Eval_reports_consistent_fields()
    {
        var r = EvaluateBest(Precision.FP32, channelsLast: false);
        Assert.Equal(200, r.Count);
        Assert.Equal(200, r.Confusion.Sum(row => row.Sum()));
        Assert.Equal(run.Result.BestValTop1, r.Top1, 1e-9);
        Assert.True(r.Top5 >= r.Top1);
        Assert.Equal((double)Enumerable.Range(0, 10).Sum(i => r.Confusion[i][i]) / 200, r.Top1, 1e-12);
        Assert.All(r.PerClassAccuracy, a => Assert.InRange(a, 0, 1));
    }

    [Fact]
    public void Eval_in_bf16_channels_last_tracks_fp32()
    {
        var fp32 = EvaluateBest(Precision.FP32, channelsLast: false);
        var bf16 = EvaluateBest(Precision.BF16, channelsLast: true);
        // bf16 keeps 8 bits of mantissa: the loss moves by well under 5%, and at most a few of 200 predictions flip.
        Assert.InRange(bf16.Loss, fp32.Loss * 0.95, fp32.Loss * 1.05);
        Assert.InRange(bf16.Top1, fp32.Top1 - 0.03, fp32.Top1 + 0.03);
        Assert.NotEqual(fp32.Loss, bf16.Loss);   // the bf16 path really ran
    }

    [Fact]
    public void Eval_through_the_fused_fast_path_matches_the_model()
    {
        var model = EvaluateBest(Precision.FP32, channelsLast: false);
        var fused = EvaluateBest(Precision.FP32, channelsLast: false, fused: true);
        // Folded batch norm in fp32 changes only the rounding: the same predictions, the loss to 1e-4.
        Assert.Equal(model.Loss, fused.Loss, model.Loss * 1e-4);
        Assert.Equal(model.Confusion, fused.Confusion);
        var bf16 = EvaluateBest(Precision.BF16, channelsLast: true, fused: true);
        Assert.InRange(bf16.Loss, model.Loss * 0.95, model.Loss * 1.05);
        Assert.InRange(bf16.Top1, model.Top1 - 0.03, model.Top1 + 0.03);
        Assert.NotEqual(model.Loss, bf16.Loss);
    }

    [Fact]
    public void Eval_command_with_fused_or_onnxruntime_gives_the_same_report()
    {
        JsonElement Eval(params string[] extra)
        {
            var r = CliTests.Run(["eval", "--checkpoint", run.Result.BestCheckpoint, "--device", "cpu", "--json", .. extra]);
            Assert.True(r.Code == 0, r.Err);
            return JsonDocument.Parse(r.Out).RootElement.Clone();
        }
        var plain = Eval("--engine", "torch");
        foreach (var other in new[] { Eval("--fused"), Eval("--engine", "onnxruntime") })
        {
            Assert.Equal(plain.GetProperty("top1").GetDouble(), other.GetProperty("top1").GetDouble());
            Assert.Equal(plain.GetProperty("loss").GetDouble(), other.GetProperty("loss").GetDouble(), 1e-4);
            Assert.Equal(plain.GetProperty("confusion").ToString(), other.GetProperty("confusion").ToString());
        }
    }

    /// <summary>The tiny run's best checkpoint evaluated on its 200 validation images (optionally through <see cref="FusedResNet"/>).</summary>
    private EvalResult EvaluateBest(Precision precision, bool channelsLast, bool fused = false)
    {
        using var data = TinyData.Open(640, 200);
        var (model, _) = Checkpoint.Load(run.Result.BestCheckpoint);
        using var __ = model;
        if (channelsLast) ChannelsLast.Apply(model);
        using var loader = data.CreateLoader(Split.Val, 64, CPU, 0, Augmentation.None);
        if (!fused) return Evaluator.Run(model, loader, data.Classes, precision, channelsLast);
        using var fast = new FusedResNet(model, precision, channelsLast);
        return Evaluator.Run(fast, loader, data.Classes);
    }

    /// <summary>Writes a uint8 [3,H,W] image as a PNG.</summary>
    internal static void WritePng(Tensor chw, string path)
    {
        int h = (int)chw.shape[1], w = (int)chw.shape[2];
        var px = chw.contiguous().data<byte>().ToArray();
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bitmap.SetPixel(x, y, new SKColor(px[y * w + x], px[h * w + y * w + x], px[2 * h * w + y * w + x]));
        using var file = File.Create(path);
        bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
    }
}
