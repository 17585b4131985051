using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Explain;
using ResNetSharp.Inference;
using ResNetSharp.Tests.Training;
using SkiaSharp;
using static ResNetSharp.Tests.Cli.CliTests;

namespace ResNetSharp.Tests.Explain;

[Collection(TinyRunCollection.Name)]
public class ExplainCommandTests(TinyRun run)
{
    /// <summary>The first validation images of the tiny run's data as PNG files.</summary>
    private string[] Pngs(int count)
    {
        using var data = TinyData.Open(640, 200);
        var val = data.Get(Split.Val);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            string path = Path.Combine(run.Dir.Path, $"explain{i}.png");
            using var bitmap = ImageTransforms.FromChw(val.Images[i]);
            using (var file = File.Create(path)) bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
            return path;
        })];
    }

    [Fact]
    public void Json_and_overlays_explain_the_predicted_class_with_predicts_preprocessing()
    {
        var pngs = Pngs(2);
        string dir = Path.Combine(run.Dir.Path, "cams");
        var r = Run(["explain", "--checkpoint", run.Result.BestCheckpoint, .. pngs, "--out", dir, "--json", "--alpha", "0.4"]);
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var predictor = Predictor.FromCheckpoint(run.Result.BestCheckpoint);
        var (model, labels, mean, std) = predictor.Parts;
        using var x = predictor.Preprocess(pngs);
        var expected = GradCam.Compute(model, x);
        for (int i = 0; i < 2; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var o = doc.RootElement;
            var top = predictor.Predict(pngs[i], k: 1)[0];
            Assert.Equal(pngs[i], o.GetProperty("file").GetString());
            Assert.Equal(top.Index, o.GetProperty("class").GetInt32());
            Assert.Equal(labels[top.Index], o.GetProperty("label").GetString());
            Assert.Equal(top.Prob, o.GetProperty("prob").GetDouble(), 1e-5);
            Assert.Equal("layer2", o.GetProperty("layer").GetString());
            var raw = o.GetProperty("raw").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            Assert.Equal(8, raw.Length);   // small_resnet has two stages: its last is 8x8 on a 16x16 input
            Assert.Equal(expected[i].Raw.SelectMany(v => v), raw.SelectMany(v => v));
            var map = o.GetProperty("map").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
            Assert.Equal(16, map.Length);

            // The overlay: (1 - alpha) * the image the model saw + alpha * viridis(map), pixel by pixel.
            using var overlay = SKBitmap.Decode(o.GetProperty("overlay").GetString());
            using var image = SKBitmap.Decode(pngs[i]);
            Assert.Equal((16, 16), (overlay.Width, overlay.Height));
            var viridis = new ScottPlot.Colormaps.Viridis();
            foreach (var (px, py) in new[] { (0, 0), (7, 9), (15, 15) })
            {
                var (c, src, got) = (viridis.GetColor(map[py][px]), image.GetPixel(px, py), overlay.GetPixel(px, py));
                Assert.InRange(got.Red, Math.Round(0.6 * src.Red + 0.4 * c.R) - 1, Math.Round(0.6 * src.Red + 0.4 * c.R) + 1);
                Assert.InRange(got.Blue, Math.Round(0.6 * src.Blue + 0.4 * c.B) - 1, Math.Round(0.6 * src.Blue + 0.4 * c.B) + 1);
            }
        }
    }

    [Fact]
    public void Topk_explains_each_of_the_top_classes_in_rank_order()
    {
        var pngs = Pngs(2);
        string dir = Path.Combine(run.Dir.Path, "cams-top");
        var r = Run(["explain", "--checkpoint", run.Result.BestCheckpoint, .. pngs, "--topk", "3", "--out", dir, "--json", "--method", "gradcam++"]);
        Assert.True(r.Code == 0, r.Err);
        using var predictor = Predictor.FromCheckpoint(run.Result.BestCheckpoint);
        var expected = pngs.SelectMany(png => predictor.Predict(png, k: 3).Select(p => (png, p.Index)));
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement);
        Assert.Equal(expected, lines.Select(o => (o.GetProperty("file").GetString()!, o.GetProperty("class").GetInt32())));
        Assert.Equal(6, Directory.GetFiles(dir, "*.png").Length);
    }

    [Fact]
    public void Bad_input_is_one_clear_error_each()
    {
        var png = Pngs(1)[0];
        string corrupt = Path.Combine(run.Dir.Path, "corrupt.png");
        File.WriteAllText(corrupt, "not a png");
        string ckpt = run.Result.BestCheckpoint, dir = Path.Combine(run.Dir.Path, "cams-bad");
        foreach (var (args, message) in new (string[], string)[]
        {
            (["explain", "--checkpoint", ckpt, corrupt, "--out", dir], "cannot decode image"),
            (["explain", "--checkpoint", ckpt, png, "--layer", "layer4", "--out", dir], "no layer 'layer4': use one of layer1, layer1.0"),
            (["explain", "--checkpoint", ckpt, png, "--class", "10", "--out", dir], "--class 10 is out of range: the model has classes 0 to 9"),
            (["explain", "--checkpoint", ckpt, png, "--class", "1", "--topk", "2", "--out", dir], "give --class or --topk, not both"),
            (["explain", "--checkpoint", ckpt, "missing.png"], "image file 'missing.png' does not exist"),
        })
        {
            var r = Run(args);
            Assert.Equal(2, r.Code);
            var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(message, line);
        }
    }
}
