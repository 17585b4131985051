using System.CommandLine;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet export (--checkpoint FILE | --model NAME --weights FILE [--labels F]) --format onnx|safetensors|pth --out FILE [--opset 17] [--dynamic-batch true]</c>;
/// an ONNX file carries the labels and preprocessing in its metadata, so it is a model file (<c>--model-file</c>).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--format") { Description = "onnx (a model file: labels and preprocessing in its metadata), safetensors or pth.", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var opset = new Option<int>("--opset") { Description = "ONNX opset (13-21).", DefaultValueFactory = _ => 17 };
        var dynamicBatch = new Option<bool>("--dynamic-batch") { Description = "Make the ONNX batch dimension symbolic, as model files need for batches; '--dynamic-batch false' for a batch of 1.", DefaultValueFactory = _ => true };
        var command = new Command("export", "Export a model to an ONNX model file, safetensors or a PyTorch state_dict.") { format, output, opset, dynamicBatch };
        var source = new ModelSourceOptions(command, modelFile: false);
        command.SetAction(result =>
        {
            var kind = ModelExport.ParseFormat(result.GetValue(format)!);
            var from = source.Read(result);
            string path = result.GetValue(output)!;
            if (kind == ExportFormat.Onnx)
            {
                using var predictor = source.Open(result, CPU, new EngineSettings(EngineKind.Torch));
                OnnxModelFile.Export(predictor.Parts.Model, predictor.Description, path,
                    new OnnxExportOptions { Opset = result.GetValue(opset), DynamicBatch = result.GetValue(dynamicBatch) });
            }
            else
            {
                // Weights alone: any model, with or without a classifier, and checkpoints that only name their model.
                bool named = from.Kind == ModelSourceKind.Named;
                using var net = WeightLoading.LoadModel(from.Model, named ? CliOptions.WeightsFile(result, from.Model!, from.Weights!) : from.Checkpoint!);
                ModelExport.Export(net, kind, path);
            }
            result.InvocationConfiguration.Output.WriteLine($"wrote {path} ({kind}, {new FileInfo(path).Length:N0} bytes)");
            return 0;
        });
        return command;
    }
}
