using System.CommandLine;
using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using ResNetSharp.Inference;
using ResNetSharp.Runtime;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet eval --checkpoint FILE --data SPEC [--precision bf16] [--channels-last] [--fused] [--json] [--out DIR]</c>: top-1, top-5, per-class accuracy, confusion matrix.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by 'resnet train' (best.safetensors).", Required = true };
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
        var command = new Command("eval", "Evaluate a checkpoint on a dataset's validation split.") { checkpoint, data, download, batch, device, precision, channelsLast, fused, json, outDir };
        command.SetAction(result =>
        {
            var dev = Devices.Resolve(result.GetValue(device)!);
            var (model, info) = Checkpoint.Load(result.GetValue(checkpoint)!, dev);
            using var _ = model;
            // Folder data at the size the model was trained at (a non-square size: small images at their own size, the default).
            var (_, h, w) = info.InputSize;
            var spec = result.GetValue(data);
            using var source = DataSpec.Open(spec, result.GetValue(download), h == w && DataSpec.Resizable(spec) ? h : null);
            if (!source.Classes.SequenceEqual(info.Classes))
                throw new ResNetSharpException($"the checkpoint was trained on {info.Classes.Count} classes ({string.Join(", ", info.Classes.Take(5))}, ...) but '{source.Name}' has {source.Classes.Count} ({string.Join(", ", source.Classes.Take(5))}, ...): evaluate it on the dataset it was trained on.");
            using var loader = source.CreateLoader(Split.Val, result.GetValue(batch), dev, 0, Augmentation.None);
            bool cl = result.GetValue(channelsLast);
            FastPath.Prepare(model, cl);
            var p = Precisions.Parse(result.GetValue(precision)!);
            using var fast = result.GetValue(fused) ? new FusedResNet(model, p, cl) : null;
            var r = fast is null ? Evaluator.Run(model, loader, source.Classes, p, cl) : Evaluator.Run(fast, loader, source.Classes);
            var report = new
            {
                Checkpoint = result.GetValue(checkpoint), Data = source.Name, r.Count, r.Loss, r.Top1, r.Top5,
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
}
