using System.CommandLine;
using ResNetSharp.Models;
using ResNetSharp.Models.Inspection;
using ResNetSharp.Runtime;
using Spectre.Console;
using TorchSharp;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet summary --model NAME [--num-classes N] [--input-size CxHxW] [--device D] [--json]</c>: a Keras-like layer table.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A named model (see 'resnet models').", Required = true };
        var classes = new Option<int?>("--num-classes") { Description = "Classifier outputs (default: the model's)." };
        var inputSize = new Option<string?>("--input-size") { Description = "Input image CxHxW (default 3x224x224 for ImageNet nets, 3x32x32 for CIFAR nets)." };
        var device = CliOptions.Device();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("summary", "Show a model's layers, output shapes, parameters and MACs.") { model, classes, inputSize, device, json };
        command.SetAction(result =>
        {
            var size = result.GetValue(inputSize) is { } text ? InputShape.Parse(text) : (InputShape?)null;
            using var net = ResNet.Create(result.GetValue(model)!, numClasses: result.GetValue(classes), inChannels: size?.Channels);
            net.to(Devices.Resolve(result.GetValue(device)!));
            var summary = ModelSummary.Of(net, size ?? InputShape.For(net.Config));
            if (result.GetValue(json))
            {
                CliJson.Write(result, new { Model = result.GetValue(model), InputSize = summary.Input.ToString(), summary.TotalParams, summary.TrainableParams, summary.NonTrainableParams, summary.BatchNormRunningStats, summary.Macs, summary.MacsCounts, summary.Layers });
                return 0;
            }
            var table = new Table().AddColumn("layer").AddColumn("type").AddColumn("output shape")
                .AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("MACs").RightAligned());
            foreach (var l in summary.Layers)
                table.AddRow(l.Name, l.Type, $"({string.Join(", ", l.OutputShape)})", $"{l.Params:N0}", $"{l.Macs:N0}");
            var console = Cli.Console(result);
            console.Write(table);
            console.WriteLine($"input: {summary.Input}, batch 1");
            console.WriteLine($"total params: {summary.TotalParams:N0}");
            console.WriteLine($"trainable params: {summary.TrainableParams:N0}");
            console.WriteLine($"non-trainable params: {summary.NonTrainableParams:N0} (BN running statistics, which Keras counts here, are buffers: {summary.BatchNormRunningStats:N0})");
            console.WriteLine($"MACs: {summary.Macs:N0} ({summary.Macs / 1e9:F2} G, convolutions and linear layers only)");
            return 0;
        });
        return command;
    }
}
