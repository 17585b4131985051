using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Data.Images;
using ResNetSharp.Inference;
using ResNetSharp.Runtime;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet predict (--checkpoint FILE | --model NAME --weights FILE [--labels FILE]) IMAGE... [--topk 5] [--batch-size 32] [--engine auto|torch|onnxruntime] [--fused] [--json]</c>.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint written by 'resnet train' (uses its classes and preprocessing)." };
        var model = new Option<string?>("--model") { Description = "A named model, with --weights (ImageNet preprocessing)." };
        var weights = new Option<string?>("--weights") { Description = $"Weights for --model: {CliOptions.WeightsForms}." };
        var labels = new Option<string?>("--labels") { Description = "With --model: class names, one per line in class order (e.g. ImageNet's 1000); default: class indices." };
        var topk = new Option<int>("--topk") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 32 };
        var fused = CliOptions.Fused();
        var engineOption = CliOptions.Engine();
        var device = CliOptions.Device();
        var json = new Option<bool>("--json") { Description = "One JSON line per image." };
        var images = new Argument<string[]>("IMAGE") { Description = "Image files (JPEG, PNG, BMP, GIF, WebP).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Classify images with a checkpoint or a named model's weights.") { checkpoint, model, weights, labels, topk, batch, fused, engineOption, device, json, images };
        command.SetAction(result =>
        {
            var (c, m, w, l) = (result.GetValue(checkpoint), result.GetValue(model), result.GetValue(weights), result.GetValue(labels));
            bool fromCheckpoint = c is not null && m is null && w is null && l is null;
            if (!fromCheckpoint && (c is not null || m is null || w is null))
                throw new ResNetSharpException("give either --checkpoint FILE, or --model NAME with --weights FILE [--labels FILE].");
            if (!fromCheckpoint) w = CliOptions.WeightsFile(result, m!, w!);
            var files = result.GetValue(images)!;
            Array.ForEach(files, ImageFiles.CheckExists);   // before the model loads
            var dev = Devices.Resolve(result.GetValue(device)!);
            var engine = CliOptions.EngineSettings(result, engineOption, fused);
            using var predictor = fromCheckpoint ? Predictor.FromCheckpoint(c!, dev, engine)
                : Predictor.FromWeights(m!, w!, dev, l, engine);
            var output = result.InvocationConfiguration.Output;
            foreach (var (image, top) in predictor.Predict(files, result.GetValue(topk), result.GetValue(batch)))
            {
                if (result.GetValue(json))
                {
                    output.WriteLine(JsonSerializer.Serialize(new { image, top = top.Select(p => new { index = p.Index, label = p.Label, prob = p.Prob, logit = p.Logit }) }));
                    continue;
                }
                output.WriteLine(image);
                foreach (var p in top) output.WriteLine($"  {p.Label,-20} {p.Prob,8:P2}  (class {p.Index}, logit {p.Logit:F3})");
            }
            return 0;
        });
        return command;
    }
}
