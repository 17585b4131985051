using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Inference;
using ResNetSharp.Models;
using ResNetSharp.Models.Inspection;
using ResNetSharp.Runtime;
using Spectre.Console;
using TorchSharp;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet summary --model NAME [--num-classes N] [--input-size CxHxW] [--device D] [--json]</c>: a Keras-like layer
/// table. Its flags are <see cref="SummaryOptions"/>' and <see cref="InferenceSettings"/>' device and JSON output.
/// </summary>
internal static class SummaryCommand
{
    /// <summary>The run settings summary has no use for: it runs one image, decodes none.</summary>
    private static readonly string[] Unused = ["batch-size", "channels-last", "max-pixels"];

    public static Command Create()
    {
        var command = new Command("summary", "Show a model's layers, output shapes, parameters and MACs.");
        var settings = new SettingOptions<SummaryOptions>().AddTo(command);
        var run = new SettingOptions<InferenceSettings>(unused: Unused).AddTo(command);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            var (name, size) = options.Validate();
            var runSettings = run.Read(result).Validate();
            using var net = ResNet.Create(name, numClasses: options.NumClasses, inChannels: size?.Channels);
            net.to(Devices.Resolve(runSettings.Device));
            var summary = ModelSummary.Of(net, size ?? InputShape.For(net.Config));
            if (runSettings.Json)
            {
                CliJson.Write(result, new { Model = name, InputSize = summary.Input.ToString(), summary.TotalParams, summary.TrainableParams, summary.NonTrainableParams, summary.BatchNormRunningStats, summary.Macs, summary.MacsCounts, summary.Layers });
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
