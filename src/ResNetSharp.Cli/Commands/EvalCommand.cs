using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Quantization;
using ResNetSharp.Reports;
using ResNetSharp.Runs;
using ResNetSharp.Runtime;
using TorchSharp;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet eval (--checkpoint FILE | --model NAME --weights W [--labels F] | --model-file FILE.onnx) --data SPEC [--tta none|flip]
/// [--compare-to CHECKPOINT|FILE.onnx] [--precision bf16] [--channels-last] [--fused] [--engine auto|torch|onnxruntime] [--threads N] [--max-pixels N] [--json] [--out DIR]</c>:
/// top-1, top-5, per-class accuracy, confusion matrix, and top-1 agreement with another model.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a checkpoint, a named model's weights or an ONNX model file on a dataset's validation split.");
        var settings = new SettingOptions<EvalOptions>().AddTo(command);
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            var dev = ModelSourceOptions.Device(options.Source, options.Run.Device);
            var (kind, engine) = options.Validate(dev);
            CliOptions.LimitPixels(result, options.Run);
            CliOptions.UseThreads(engine.Threads);
            using var predictor = ModelSourceOptions.Open(result, options.Source, kind == ModelSourceKind.OnnxFile ? dev : torch.CPU,
                kind == ModelSourceKind.OnnxFile ? engine : new EngineSettings(EngineKind.Torch));
            var input = predictor.Input;
            // Named weights: folder data at torchvision's crop size (their resize); a checkpoint or model file: its own square size.
            int? size = !DataSpec.Resizable(options.Data) ? null : kind == ModelSourceKind.Named ? PretrainedEntry.CropSize : input.Height == input.Width ? input.Height : null;
            using var source = DataSpec.Open(options.Data, options.Download, size, predictor.Description.CropFraction, options.Loader);
            CheckClasses(predictor, kind, source);
            var r = Evaluate(predictor, kind, source, dev, options.Run, engine, options.Tta, out long badImages);
            var agreement = options.CompareTo is { } other ? Compare(predictor, other, source, options.Run.BatchSize, engine.Threads) : ((int Agree, int Total)?)null;
            var from = options.Source;
            var report = new
            {
                from.Checkpoint, from.Model, from.Weights, from.ModelFile, Data = source.Name, r.Count, r.Loss, r.Top1, r.Top5, BadImages = badImages,
                Tta = options.Tta.ToString().ToLowerInvariant(),
                options.CompareTo, Agreement = agreement is var (a, t) ? (double?)a / t : null,
                PerClass = source.Classes.Select((c, i) => new { Class = c, Accuracy = double.IsNaN(r.PerClassAccuracy[i]) ? (double?)null : r.PerClassAccuracy[i], Samples = r.Confusion[i].Sum() }),
                r.Confusion,
            };
            if (options.Out is { } dir)
            {
                using var files = new RunFiles(dir);
                files.WriteJson("eval.json", report);
                ConfusionPlot.Save(files["confusion.png"], r);
            }
            var output = result.InvocationConfiguration.Output;
            if (options.Run.Json)
            {
                CliJson.Write(result, report);
                return 0;
            }
            output.WriteLine($"{source.Name} validation: {r.Count} images, loss {r.Loss:F4}, top-1 {r.Top1:P2}, top-5 {r.Top5:P2}" +
                (badImages > 0 ? $", {badImages} bad images skipped" : ""));
            for (int i = 0; i < source.Classes.Count; i++)
                output.WriteLine($"  {source.Classes[i],-20} {r.PerClassAccuracy[i],8:P2}  ({r.Confusion[i].Sum()} images)");
            if (agreement is var (agree, total))
                output.WriteLine($"top-1 agreement with {options.CompareTo}: {agree}/{total} images ({(double)agree / total:P2})");
            if (options.Out is { } d) output.WriteLine($"wrote {Path.Combine(d, "eval.json")} and {Path.Combine(d, "confusion.png")}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Runs the validation split: an ONNX model file through its ONNX Runtime engine; a TorchSharp model through
    /// ONNX Runtime (auto on the CPU in fp32, exported before channels_last changes the weights' layout), the fused
    /// fast path, or the model itself.
    /// </summary>
    private static EvalResult Evaluate(Predictor predictor, ModelSourceKind kind, DataSource source, torch.Device dev, InferenceSettings run,
        EngineSettings settings, TestTimeAugmentation tta, out long badImages)
    {
        var (batchSize, cl, p) = (run.BatchSize, run.ChannelsLast, settings.Precision);
        if (kind == ModelSourceKind.OnnxFile)
        {
            using var fileLoader = source.CreateLoader(Split.Val, batchSize, torch.CPU, 0, Augmentation.None);
            using var module = new EngineModule(predictor.Engine);
            var fileResult = Evaluator.Run(module, fileLoader, source.Classes, tta: tta);
            badImages = fileLoader.BadImages;
            return fileResult;
        }
        var net = predictor.Parts.Model;
        net.to(dev);
        using var loader = source.CreateLoader(Split.Val, batchSize, dev, 0, Augmentation.None);
        bool onnx = InferenceEngines.Resolve(settings.Kind, dev) == EngineKind.OnnxRuntime && p == Precision.FP32;
        using var ortEngine = onnx ? InferenceEngines.Create(net, EngineKind.OnnxRuntime, dev, threads: settings.Threads) : null;
        using var ort = ortEngine is null ? null : new EngineModule(ortEngine);
        FastPath.Prepare(net, cl);
        using var fast = settings.Fused ? new FusedResNet(net, p, cl) : null;
        var r = ort is not null ? Evaluator.Run(ort, loader, source.Classes, tta: tta)
            : fast is not null ? Evaluator.Run(fast, loader, source.Classes, tta: tta) : Evaluator.Run(net, loader, source.Classes, p, cl, tta: tta);
        badImages = loader.BadImages;
        return r;
    }

    /// <summary>
    /// The data's classes must be the model's: by name for a checkpoint or a model file with class names; by count
    /// for weights (whose labels are a separate list) and files whose labels are the class indices.
    /// </summary>
    private static void CheckClasses(Predictor predictor, ModelSourceKind kind, DataSource source)
    {
        var labels = predictor.Labels;
        bool byName = kind != ModelSourceKind.Named && !labels.Select((l, i) => l == i.ToString()).All(same => same);
        if (byName ? source.Classes.SequenceEqual(labels) : source.Classes.Count == labels.Count) return;
        string Some(IEnumerable<string> names) => string.Join(", ", names.Take(5));
        throw new ResNetSharpException(kind switch
        {
            ModelSourceKind.Named => $"the weights have {labels.Count} classes but '{source.Name}' has {source.Classes.Count}: evaluate them on data with the same classes, in the weights' class order.",
            ModelSourceKind.Checkpoint => $"the checkpoint was trained on {labels.Count} classes ({Some(labels)}, ...) but '{source.Name}' has {source.Classes.Count} ({Some(source.Classes)}, ...): evaluate it on the dataset it was trained on.",
            _ => $"the model file has {labels.Count} classes ({Some(labels)}, ...) but '{source.Name}' has {source.Classes.Count} ({Some(source.Classes)}, ...): evaluate it on data with the same classes, in the model's class order.",
        });
    }

    /// <summary>Top-1 agreement over the validation split with <paramref name="other"/>: a checkpoint, or an ONNX model file (run with <paramref name="threads"/>).</summary>
    private static (int Agree, int Total) Compare(Predictor predictor, string other, DataSource source, int batchSize, int threads)
    {
        var reference = OnnxModelFile.IsOnnx(other) ? new ModelSource { ModelFile = other } : new ModelSource { Checkpoint = other };
        using var compared = reference.Open(torch.CPU, new EngineSettings(EngineKind.Auto, Threads: threads));
        return Top1Agreement.Measure(predictor, compared, CalibrationData.Images(source, Split.Val, batchSize));
    }
}
