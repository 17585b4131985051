using ResNetSharp.Data.Loading;
using ResNetSharp.Cli.Options;
using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Evaluation;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Models;
using ResNetSharp.Reports;
using ResNetSharp.Runs;
using ResNetSharp.Runtime;
using TorchSharp;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet eval (--checkpoint FILE | --model NAME --weights W) --data SPEC [--precision bf16] [--channels-last] [--fused] [--engine auto|torch|onnxruntime] [--json] [--out DIR]</c>: top-1, top-5, per-class accuracy, confusion matrix.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint written by 'resnet train' (best.safetensors)." };
        var model = new Option<string?>("--model") { Description = "A named model, with --weights: the data's classes must be the weights' (e.g. ImageNet's val split in folder:DIR)." };
        var weights = new Option<string?>("--weights") { Description = $"Weights for --model: {PretrainedWeights.Forms}." };
        var data = new Option<string>("--data") { Description = $"Dataset whose validation split to use: {DataSpec.Forms}.", DefaultValueFactory = _ => DataSpec.Default };
        var download = new Option<bool>("--download") { Description = "Download missing dataset files." };
        var batch = new Option<int>("--batch-size") { Description = "Images per batch.", DefaultValueFactory = _ => 256 };
        var device = CliOptions.Device();
        var precision = new Option<string>("--precision") { Description = "fp32, or bf16 (convolutions and linear layers in bf16).", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong(Precisions.Names);
        var channelsLast = new Option<bool>("--channels-last") { Description = "Inputs and convolution weights in the channels_last (NHWC) layout, faster on CPUs and GPUs; '--channels-last false' for NCHW.", DefaultValueFactory = _ => true };
        var fused = CliOptions.Fused();
        var engine = CliOptions.Engine();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var outDir = new Option<string?>("--out") { Description = "Also write eval.json and confusion.png here." };
        var command = new Command("eval", "Evaluate a checkpoint, or a named model's weights, on a dataset's validation split.") { checkpoint, model, weights, data, download, batch, device, precision, channelsLast, fused, engine, json, outDir };
        var loaderOptions = new SettingOptions<LoaderSettings>().AddTo(command);
        command.SetAction(result =>
        {
            var dev = Devices.Resolve(result.GetValue(device)!);
            var spec = result.GetValue(data);
            var target = Load(result, result.GetValue(checkpoint), result.GetValue(model), result.GetValue(weights), spec);
            using var net = target.Model;
            using var source = DataSpec.Open(spec, result.GetValue(download), target.ImageSize, target.CropFraction, loaderOptions.Read(result).Validate());
            target.CheckClasses(source);
            net.to(dev);
            using var loader = source.CreateLoader(Split.Val, result.GetValue(batch), dev, 0, Augmentation.None);
            var p = Precisions.Parse(result.GetValue(precision)!);
            var settings = CliOptions.EngineSettings(result, engine, fused);
            if (settings.Kind == EngineKind.OnnxRuntime && p != Precision.FP32)
                throw new ResNetSharpException($"--precision {p.Name()} is for the torch engine: use --engine torch, or fp32 with onnxruntime.");
            // auto: ONNX Runtime on the CPU in fp32 (exported before channels_last changes the weights' layout).
            bool onnx = InferenceEngines.Resolve(settings.Kind, dev) == EngineKind.OnnxRuntime && p == Precision.FP32;
            using var ortEngine = onnx ? InferenceEngines.Create(net, EngineKind.OnnxRuntime, dev) : null;
            using var ort = ortEngine is null ? null : new EngineModule(ortEngine);
            bool cl = result.GetValue(channelsLast);
            FastPath.Prepare(net, cl);
            using var fast = result.GetValue(fused) ? new FusedResNet(net, p, cl) : null;
            var r = ort is not null ? Evaluator.Run(ort, loader, source.Classes)
                : fast is not null ? Evaluator.Run(fast, loader, source.Classes) : Evaluator.Run(net, loader, source.Classes, p, cl);
            var report = new
            {
                Checkpoint = result.GetValue(checkpoint), Model = result.GetValue(model), Weights = result.GetValue(weights), Data = source.Name, r.Count, r.Loss, r.Top1, r.Top5, loader.BadImages,
                PerClass = source.Classes.Select((c, i) => new { Class = c, Accuracy = double.IsNaN(r.PerClassAccuracy[i]) ? (double?)null : r.PerClassAccuracy[i], Samples = r.Confusion[i].Sum() }),
                r.Confusion,
            };
            if (result.GetValue(outDir) is { } dir)
            {
                using var files = new RunFiles(dir);
                files.WriteJson("eval.json", report);
                ConfusionPlot.Save(files["confusion.png"], r);
            }
            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(json))
            {
                CliJson.Write(result, report);
                return 0;
            }
            output.WriteLine($"{source.Name} validation: {r.Count} images, loss {r.Loss:F4}, top-1 {r.Top1:P2}, top-5 {r.Top5:P2}" +
                (loader.BadImages > 0 ? $", {loader.BadImages} bad images skipped" : ""));
            for (int i = 0; i < source.Classes.Count; i++)
                output.WriteLine($"  {source.Classes[i],-20} {r.PerClassAccuracy[i],8:P2}  ({r.Confusion[i].Sum()} images)");
            if (result.GetValue(outDir) is { } d) output.WriteLine($"wrote {Path.Combine(d, "eval.json")} and {Path.Combine(d, "confusion.png")}");
            return 0;
        });
        return command;
    }

    /// <summary>What to evaluate: the model, the folder-data size and resize it expects, and its check of the data's classes.</summary>
    private sealed record Target(ResNet Model, int? ImageSize, float CropFraction, Action<DataSource> CheckClasses);

    /// <summary>
    /// A checkpoint's model, with folder data at its training size (a non-square size: small images at their own size,
    /// the default) and the checkpoint's classes; or a named model's weights, with folder data at 224 after the weights'
    /// torchvision resize and as many classes as the weights have.
    /// </summary>
    private static Target Load(ParseResult result, string? checkpoint, string? name, string? weights, string? spec)
    {
        switch (checkpoint, name, weights)
        {
            case ({ } file, null, null):
                var (model, info) = Checkpoint.Load(file);
                var (_, h, w) = info.InputSize;
                return new(model, h == w && DataSpec.Resizable(spec) ? h : null, ImageTransforms.CenterCropFraction, source =>
                {
                    if (!source.Classes.SequenceEqual(info.Classes))
                        throw new ResNetSharpException($"the checkpoint was trained on {info.Classes.Count} classes ({string.Join(", ", info.Classes.Take(5))}, ...) but '{source.Name}' has {source.Classes.Count} ({string.Join(", ", source.Classes.Take(5))}, ...): evaluate it on the dataset it was trained on.");
                });
            case (null, { } m, { } wt):
                string path = CliOptions.WeightsFile(result, m, wt);
                var net = WeightLoading.LoadModel(m, path);
                float fraction = PretrainedWeights.ForFile(path)?.CropFraction ?? ImageTransforms.CenterCropFraction;
                return new(net, DataSpec.Resizable(spec) ? PretrainedEntry.CropSize : null, fraction, source =>
                {
                    if (source.Classes.Count != net.Config.NumClasses)
                        throw new ResNetSharpException($"the weights have {net.Config.NumClasses} classes but '{source.Name}' has {source.Classes.Count}: evaluate them on data with the same classes, in the weights' class order.");
                });
            default:
                throw new ResNetSharpException("give either --checkpoint FILE, or --model NAME with --weights FILE.");
        }
    }
}
