using System.CommandLine;
using ResNetSharp.Explain;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet explain (--checkpoint C | --model M --weights W [--labels F]) IMAGE... [--class K | --topk N]
/// [--method gradcam|gradcam++] [--layer layerN] [--out DIR] [--alpha 0.5] [--max-pixels N] [--json]</c>: Grad-CAM overlays.
/// </summary>
internal static class ExplainCommand
{
    private const int BatchSize = 16;

    public static Command Create()
    {
        var cls = new Option<string?>("--class") { Description = "Explain this class (index or label) for every image; default: each image's predicted class." };
        var topk = new Option<int?>("--topk") { Description = "Explain each image's N most likely classes (one overlay each)." };
        var method = new Option<string>("--method") { Description = "gradcam or gradcam++.", DefaultValueFactory = _ => "gradcam" };
        method.AcceptOnlyFromAmong("gradcam", "gradcam++");
        var layer = new Option<string?>("--layer") { Description = "Target layer: a stage (layer4: its last block's output, torchvision's layer4[-1]) or a block (layer4.1); default: the last stage." };
        var outDir = new Option<string>("--out") { Description = "Directory for the overlays (IMAGE-stem.CLASS.png).", DefaultValueFactory = _ => "explain" };
        var alpha = new Option<double>("--alpha") { Description = "Opacity of the colour map over the image, in [0, 1].", DefaultValueFactory = _ => 0.5 };
        var json = new Option<bool>("--json") { Description = "One JSON line per image and class: file, class, label, prob, layer, raw (h x w) and map (H x W)." };
        var device = CliOptions.Device();
        var images = new Argument<string[]>("IMAGE") { Description = "Image files (JPEG, PNG, BMP, GIF, WebP).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("explain", "Show where a classifier looks: Grad-CAM or Grad-CAM++ overlays of images.") { cls, topk, method, layer, outDir, alpha, json, device, images };
        var source = new ModelSourceOptions(command, modelFile: false);
        var maxPixels = CliOptions.MaxPixels(command);
        command.SetAction(result =>
        {
            CliOptions.LimitPixels(result, maxPixels);
            var files = result.GetValue(images)!;
            var (k, a, dir) = (result.GetValue(topk), result.GetValue(alpha), result.GetValue(outDir)!);
            if (k is not null && result.GetValue(cls) is not null) throw new ResNetSharpException("give --class or --topk, not both.");
            if (k < 1) throw new ResNetSharpException($"--topk must be at least 1, not {k}.");
            CamOverlay.CheckAlpha(a);
            var camMethod = result.GetValue(method) == "gradcam++" ? CamMethod.GradCamPlusPlus : CamMethod.GradCam;
            using var predictor = source.Open(result, Devices.Resolve(result.GetValue(device)!), new EngineSettings(EngineKind.Torch), files);   // Grad-CAM needs autograd
            var (model, labels, mean, std) = predictor.Parts;
            string target = result.GetValue(layer) ?? GradCam.DefaultLayer(model);
            GradCam.CheckLayer(model, target);   // before any image is read
            int? fixedClass = result.GetValue(cls) is { } c ? ParseClass(c, labels) : null;
            Directory.CreateDirectory(dir);
            var output = result.InvocationConfiguration.Output;
            var modelDevice = model.parameters().First().device;
            foreach (var batch in files.Chunk(BatchSize))
            {
                // Per image its classes to explain, most likely first (the same count for every image).
                var ranked = fixedClass is { } f ? [.. batch.Select(_ => new[] { f })]
                    : predictor.Predict(batch, k ?? 1, BatchSize).Select(p => p.Top.Select(t => t.Index).ToArray()).ToList();
                using var scope = NewDisposeScope();
                var x = predictor.Preprocess(batch).to(modelDevice);
                var maps = Enumerable.Range(0, ranked[0].Length)
                    .Select(rank => GradCam.Compute(model, x, [.. ranked.Select(r => r[rank])], target, camMethod)).ToList();
                for (int i = 0; i < batch.Length; i++)
                    foreach (var m in maps.Select(byRank => byRank[i]))
                    {
                        string png = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(batch[i])}.{m.Class}.png");
                        CamOverlay.Save(png, x[i], m.Map, mean, std, a);
                        if (result.GetValue(json))
                            output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                            {
                                file = batch[i], @class = m.Class, label = labels[m.Class], prob = m.Prob, layer = m.Layer, overlay = png, raw = m.Raw, map = m.Map,
                            }));
                        else output.WriteLine($"{batch[i]}: {labels[m.Class]} (class {m.Class}, {m.Prob:P2}) -> {png}");
                    }
            }
            return 0;
        });
        return command;
    }

    /// <summary>A class given by index or by label.</summary>
    private static int ParseClass(string value, IReadOnlyList<string> labels)
    {
        int index = int.TryParse(value, out int i) ? i : labels.ToList().IndexOf(value);
        return index >= 0 && index < labels.Count ? index
            : throw new ResNetSharpException($"--class {value} is out of range: the model has classes 0 to {labels.Count - 1} ({string.Join(", ", labels.Take(10))}{(labels.Count > 10 ? ", ..." : "")}).");
    }
}
