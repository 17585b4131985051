using System.CommandLine;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pretrained;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet export (--checkpoint FILE | --model NAME --weights FILE) --format onnx|safetensors|pth --out FILE [--opset 17] [--dynamic-batch]</c>.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A ResNetSharp checkpoint (.safetensors that names its model)." };
        var model = new Option<string?>("--model") { Description = "Model name (see 'resnet models'), with --weights." };
        var weights = new Option<string?>("--weights") { Description = $"Weights for --model: {PretrainedWeights.Forms}." };
        var format = new Option<string>("--format") { Description = "onnx, safetensors or pth.", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string>("--out") { Description = "The file to write.", Required = true };
        var opset = new Option<int>("--opset") { Description = "ONNX opset (13-21).", DefaultValueFactory = _ => 17 };
        var dynamicBatch = new Option<bool>("--dynamic-batch") { Description = "Make the ONNX batch dimension symbolic." };
        var command = new Command("export", "Export a model to ONNX, safetensors or a PyTorch state_dict.") { checkpoint, model, weights, format, output, opset, dynamicBatch };
        command.SetAction(result =>
        {
            var kind = ModelExport.ParseFormat(result.GetValue(format)!);
            var (file, name) = (result.GetValue(checkpoint), result.GetValue(model));
            if ((file is null) == (name is null) || (name is null) != (result.GetValue(weights) is null))
                throw new ResNetSharpException("give either --checkpoint FILE or both --model NAME and --weights FILE.");
            using var net = WeightLoading.LoadModel(name, file ?? CliOptions.WeightsFile(result, name!, result.GetValue(weights)!));
            string path = result.GetValue(output)!;
            ModelExport.Export(net, kind, path, new OnnxExportOptions { Opset = result.GetValue(opset), DynamicBatch = result.GetValue(dynamicBatch) });
            result.InvocationConfiguration.Output.WriteLine($"wrote {path} ({kind}, {new FileInfo(path).Length:N0} bytes)");
            return 0;
        });
        return command;
    }
}
