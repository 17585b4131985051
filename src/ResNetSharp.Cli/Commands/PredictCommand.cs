using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Inference;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet predict (--checkpoint FILE | --model NAME --weights FILE [--labels FILE] | --model-file FILE.onnx) IMAGE... [--topk 5] [--batch-size 32] [--engine auto|torch|onnxruntime] [--fused] [--max-pixels N] [--json]</c>.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var topk = new Option<int>("--topk") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 5 };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 32 };
        var fused = CliOptions.Fused();
        var engineOption = CliOptions.Engine();
        var device = CliOptions.Device();
        var json = new Option<bool>("--json") { Description = "One JSON line per image." };
        var images = new Argument<string[]>("IMAGE") { Description = "Image files (JPEG, PNG, BMP, GIF, WebP).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Classify images with a checkpoint, a named model's weights or an ONNX model file.") { topk, batch, fused, engineOption, device, json, images };
        var source = new ModelSourceOptions(command);
        var maxPixels = CliOptions.MaxPixels(command);
        command.SetAction(result =>
        {
            CliOptions.LimitPixels(result, maxPixels);
            var files = result.GetValue(images)!;
            var engine = CliOptions.EngineSettings(result, engineOption, fused);
            using var predictor = source.Open(result, source.Device(result, device), engine, files);
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
