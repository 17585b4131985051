using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Explain;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet explain (--checkpoint C | --model M --weights W [--labels F]) IMAGE... [--class K | --topk N]
/// [--method gradcam|gradcam++] [--layer layerN] [--out DIR] [--alpha 0.5] [--threads N] [--max-pixels N] [--json]</c>: Grad-CAM overlays;
/// with <c>--json</c>, one line per image and class: file, class, label, prob, layer, overlay, raw (h x w) and map (H x W).
/// </summary>
internal static class ExplainCommand
{
    private const int BatchSize = 16;

    /// <summary>The settings of <see cref="ExplainOptions"/> explain has no use for (a TorchSharp model, fixed batches).</summary>
    private static readonly string[] Unused = ["model-file", "batch-size", "channels-last"];

    public static Command Create()
    {
        var images = CliOptions.Images();
        var threads = CliOptions.Threads();
        var command = new Command("explain", "Show where a classifier looks: Grad-CAM or Grad-CAM++ overlays of images.") { images };
        var settings = new SettingOptions<ExplainOptions>(unused: Unused).AddTo(command);
        command.Options.Add(threads);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            options.Validate();
            CliOptions.LimitPixels(result, options.Run);
            CliOptions.UseThreads(result.GetValue(threads));   // torch's: Grad-CAM runs on the torch engine
            var files = result.GetValue(images)!;
            var (k, dir) = (options.TopK, options.Out);
            using var predictor = ModelSourceOptions.Open(result, options.Source, Devices.Resolve(options.Run.Device), new EngineSettings(EngineKind.Torch), files);   // Grad-CAM needs autograd
            var (model, labels, mean, std) = predictor.Parts;
            string target = options.Layer ?? GradCam.DefaultLayer(model);
            GradCam.CheckLayer(model, target);   // before any image is read
            int? fixedClass = options.Class is { } c ? ParseClass(c, labels) : null;
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
                    .Select(rank => GradCam.Compute(model, x, [.. ranked.Select(r => r[rank])], target, options.Method)).ToList();
                for (int i = 0; i < batch.Length; i++)
                    foreach (var m in maps.Select(byRank => byRank[i]))
                    {
                        string png = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(batch[i])}.{m.Class}.png");
                        CamOverlay.Save(png, x[i], m.Map, mean, std, options.Alpha);
                        if (options.Run.Json)
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
