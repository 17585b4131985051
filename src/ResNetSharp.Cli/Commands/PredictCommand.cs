using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Cli.Options;
using ResNetSharp.Inference;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet predict (--checkpoint FILE | --model NAME --weights FILE [--labels FILE] | --model-file FILE.onnx) IMAGE... [--topk 5] [--batch-size 32] [--engine auto|torch|onnxruntime] [--fused] [--threads N] [--max-pixels N] [--json]</c>.</summary>
internal static class PredictCommand
{
    /// <summary>The settings of <see cref="PredictOptions"/> predict has no use for: it runs in fp32, in its engine's layout.</summary>
    private static readonly string[] Unused = ["precision", "channels-last"];

    public static Command Create()
    {
        var images = CliOptions.Images();
        var command = new Command("predict", "Classify images with a checkpoint, a named model's weights or an ONNX model file.") { images };
        var settings = new SettingOptions<PredictOptions>(unused: Unused).AddTo(command);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            var engine = options.Validate();
            CliOptions.LimitPixels(result, options.Run);
            CliOptions.UseThreads(engine.Threads);
            var files = result.GetValue(images)!;
            using var predictor = ModelSourceOptions.Open(result, options.Source, ModelSourceOptions.Device(options.Source, options.Run.Device), engine, files);
            var output = result.InvocationConfiguration.Output;
            foreach (var (image, top) in predictor.Predict(files, options.TopK, options.Run.BatchSize))
            {
                if (options.Run.Json)
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
