using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet export (--checkpoint FILE | --model NAME --weights FILE [--labels F]) --format onnx|safetensors|pth --out FILE [--opset 17] [--dynamic-batch true]</c>;
/// an ONNX file carries the labels and preprocessing in its metadata, so it is a model file (<c>--model-file</c>).
/// Its flags are <see cref="ModelSource"/>'s (less <c>--model-file</c>) and <see cref="ExportOptions"/>'.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export", "Export a model to an ONNX model file, safetensors or a PyTorch state_dict.");
        var settings = new SettingOptions<ExportOptions>().AddTo(command);
        var source = new ModelSourceOptions(command, modelFile: false);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            string path = options.Validate();
            var from = source.Read(result);
            if (options.Format == ExportFormat.Onnx)
            {
                using var predictor = source.Open(result, CPU, new EngineSettings(EngineKind.Torch));
                OnnxModelFile.Export(predictor.Parts.Model, predictor.Description, path, options.Onnx);
            }
            else
            {
                // Weights alone: any model, with or without a classifier, and checkpoints that only name their model.
                bool named = from.Kind == ModelSourceKind.Named;
                using var net = WeightLoading.LoadModel(from.Model, named ? CliOptions.WeightsFile(result, from.Model!, from.Weights!) : from.Checkpoint!);
                ModelExport.Export(net, options.Format, path);
            }
            result.InvocationConfiguration.Output.WriteLine($"wrote {path} ({options.Format}, {new FileInfo(path).Length:N0} bytes)");
            return 0;
        });
        return command;
    }
}
