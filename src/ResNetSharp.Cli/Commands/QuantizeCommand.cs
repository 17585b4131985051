using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data;
using ResNetSharp.Data.Loading;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Quantization;
using Spectre.Console;
using static TorchSharp.torch;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet quantize (--checkpoint FILE | --model NAME --weights W [--labels F]) --calibrate SPEC [--calibration-images 512]
/// [--method minmax|percentile|entropy] [--percentile 99.999] [--per-channel true] [--keep-fp32 LAYERS]
/// [--activations uint8|int8] --out FILE.onnx</c>: calibrated int8 ONNX model file, and its operator report. Its flags
/// are <see cref="QuantizeFiles"/>', <see cref="ModelSource"/>' (less --model-file), <see cref="QuantizeOptions"/>' and
/// <see cref="LoaderSettings"/>'.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create()
    {
        var command = new Command("quantize", "Quantize a classifier to an int8 ONNX model file, calibrated on images of a dataset.");
        var files = new SettingOptions<QuantizeFiles>().AddTo(command);
        files["calibrate"].Required = files["out"].Required = true;
        var source = new ModelSourceOptions(command, modelFile: false);
        var settings = new SettingOptions<QuantizeOptions>().AddTo(command);
        var loaderOptions = new SettingOptions<LoaderSettings>().AddTo(command);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            options.Check();
            var io = files.Read(result).Validate();
            string path = io.Out!;
            using var predictor = source.Open(result, CPU, new EngineSettings(EngineKind.Torch));
            var info = predictor.Description;
            string spec = io.Calibrate!;
            int? size = info.Input.Height == info.Input.Width && DataSpec.Resizable(spec) ? info.Input.Height : null;
            using var data = DataSpec.Open(spec, io.Download, size, info.CropFraction, loaderOptions.Read(result).Validate());
            var quantized = WithProgress(result, progress => Int8Quantizer.Quantize(predictor.Parts.Model, info, CalibrationData.Images(data), options, progress));
            quantized.Save(path);
            var text = result.InvocationConfiguration.Output;
            text.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes), calibrated on {quantized.ImagesUsed} images of {data.Name} ({options.Method.ToString().ToLowerInvariant()})");
            text.WriteLine(quantized.Report);
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="quantize"/> with a Spectre.Console progress bar on a terminal, silently when output is redirected.</summary>
    private static QuantizedModel WithProgress(ParseResult result, Func<IProgress<(int Done, int Total)>?, QuantizedModel> quantize)
    {
        if (Console.IsOutputRedirected || !ReferenceEquals(result.InvocationConfiguration.Output, Console.Out)) return quantize(null);
        QuantizedModel? model = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("calibrating");
                model = quantize(new Progress(task));
            });
        return model!;
    }

    /// <summary>Moves the bar synchronously (System.Progress would post to the thread pool after the work ends).</summary>
    private sealed class Progress(ProgressTask task) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value)
        {
            task.MaxValue = value.Total;
            task.Value = value.Done;
        }
    }
}
