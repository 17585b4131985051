using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Evaluation;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Inference;
using ResNetSharp.Runtime;
using ResNetSharp.Training;
using TorchSharp;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet eval (--checkpoint FILE | --model NAME --weights W) --data SPEC [--precision bf16] [--channels-last] [--fused] [--json] [--out DIR]</c>: top-1, top-5, per-class accuracy, confusion matrix.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint written by 'resnet train' (best.safetensors)." };
        var model = new Option<string?>("--model") { Description = "A named model, with --weights: the data's classes must be the weights' (e.g. ImageNet's val split in folder:DIR)." };
        var weights = new Option<string?>("--weights") { Description = $"Weights for --model: {CliOptions.WeightsForms}." };
        var data = new Option<string>("--data") { Description = $"Dataset whose validation split to use: {DataSpec.Forms}.", DefaultValueFactory = _ => DataSpec.Default };
        var download = new Option<bool>("--download") { Description = "Download missing dataset files." };
        var batch = new Option<int>("--batch-size") { Description = "Images per batch.", DefaultValueFactory = _ => 256 };
        var device = CliOptions.Device();
        var precision = new Option<string>("--precision") { Description = "fp32, or bf16 (convolutions and linear layers in bf16).", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong(Precisions.Names);
        var channelsLast = new Option<bool>("--channels-last") { Description = "Inputs and convolution weights in the channels_last (NHWC) layout, faster on CPUs and GPUs; '--channels-last false' for NCHW.", DefaultValueFactory = _ => true };
        var fused = CliOptions.Fused();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var outDir = new Option<string?>("--out") { Description = "Also write eval.json and confusion.png here." };
        var command = new Command("eval", "Evaluate a checkpoint, or a named model's weights, on a dataset's validation split.") { checkpoint, model, weights, data, download, batch, device, precision, channelsLast, fused, json, outDir };
        command.SetAction(result =>
        {
            var dev = Devices.Resolve(result.GetValue(device)!);
            var spec = result.GetValue(data);
            var (net, source) = Open(result, result.GetValue(checkpoint), result.GetValue(model), result.GetValue(weights), spec, result.GetValue(download));
            using var _ = net;
            using var __ = source;
            net.to(dev);
            using var loader = source.CreateLoader(Split.Val, result.GetValue(batch), dev, 0, Augmentation.None);
            bool cl = result.GetValue(channelsLast);
            FastPath.Prepare(net, cl);
            var p = Precisions.Parse(result.GetValue(precision)!);
            using var fast = result.GetValue(fused) ? new FusedResNet(net, p, cl) : null;
            var r = fast is null ? Evaluator.Run(net, loader, source.Classes, p, cl) : Evaluator.Run(fast, loader, source.Classes);
            var report = new
            {
                Checkpoint = result.GetValue(checkpoint), Model = result.GetValue(model), Weights = result.GetValue(weights), Data = source.Name, r.Count, r.Loss, r.Top1, r.Top5,
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
            output.WriteLine($"{source.Name} validation: {r.Count} images, loss {r.Loss:F4}, top-1 {r.Top1:P2}, top-5 {r.Top5:P2}");
            for (int i = 0; i < source.Classes.Count; i++)
                output.WriteLine($"  {source.Classes[i],-20} {r.PerClassAccuracy[i],8:P2}  ({r.Confusion[i].Sum()} images)");
            if (result.GetValue(outDir) is { } d) output.WriteLine($"wrote {Path.Combine(d, "eval.json")} and {Path.Combine(d, "confusion.png")}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The model and the dataset: a checkpoint's model with folder data at its training size (the data's classes must be
    /// the checkpoint's), or a named model's weights with folder data at 224 after the weights' torchvision resize.
    /// </summary>
    private static (ResNet Model, DataSource Data) Open(ParseResult result, string? checkpoint, string? name, string? weights, string? spec, bool download)
    {
        ResNet model;
        DataSource source;
        switch (checkpoint, name, weights)
        {
            case ({ } file, null, null):
                CheckpointInfo info;
                (model, info) = Checkpoint.Load(file);
                // Folder data at the size the model was trained at (a non-square size: small images at their own size, the default).
                var (_, h, w) = info.InputSize;
                source = Guarded(model, () => DataSpec.Open(spec, download, h == w && DataSpec.Resizable(spec) ? h : null));
                if (!source.Classes.SequenceEqual(info.Classes))
                    Fail(model, source, $"the checkpoint was trained on {info.Classes.Count} classes ({string.Join(", ", info.Classes.Take(5))}, ...) but '{source.Name}' has {source.Classes.Count} ({string.Join(", ", source.Classes.Take(5))}, ...): evaluate it on the dataset it was trained on.");
                return (model, source);
            case (null, { } m, { } wt):
                string path = CliOptions.WeightsFile(result, m, wt);
                model = WeightLoading.LoadModel(m, path);
                float fraction = PretrainedWeights.ForFile(path)?.CropFraction ?? ImageTransforms.CenterCropFraction;
                source = Guarded(model, () => DataSpec.Open(spec, download, DataSpec.Resizable(spec) ? PretrainedEntry.CropSize : null, fraction));
                if (source.Classes.Count != model.Config.NumClasses)
                    Fail(model, source, $"the weights have {model.Config.NumClasses} classes but '{source.Name}' has {source.Classes.Count}: evaluate them on data with the same classes, in the weights' class order.");
                return (model, source);
            default:
                throw new ResNetSharpException("give either --checkpoint FILE, or --model NAME with --weights FILE.");
        }
    }

    private static DataSource Guarded(ResNet model, Func<DataSource> open)
    {
        try { return open(); }
        catch { model.Dispose(); throw; }
    }

    private static void Fail(ResNet model, DataSource source, string message)
    {
        model.Dispose();
        source.Dispose();
        throw new ResNetSharpException(message);
    }
}
