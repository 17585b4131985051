using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Models;
using ResNetSharp.Runs;
using ResNetSharp.Runtime;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Inference;

/// <summary>One of an image's top-k classes: class index, label, softmax probability and raw logit.</summary>
public sealed record Prediction(int Index, string Label, double Prob, double Logit);

/// <summary>
/// Classifies image files with a model and its preprocessing: from a training checkpoint (its classes, normalisation
/// and input size), or from bare weights with ImageNet's (mean 0.485, 0.456, 0.406; std 0.229, 0.224, 0.225; 224x224;
/// labels from a labels file, one per line in class order, such as torchvision's or Keras' ImageNet class list, or
/// else the class indices). An image already at the input size is not resampled. Images go through the model in
/// batches through an <see cref="IInferenceEngine"/> chosen by <see cref="EngineSettings"/>: TorchSharp (fused, the inference fast path,
/// <see cref="FusedResNet"/>, channels_last) or ONNX Runtime (<see cref="EngineKind.Auto"/> picks it on the CPU).
/// Top-k is ranked by logit, so classes whose probabilities round to the same value keep their order.
/// </summary>
public sealed class Predictor : IDisposable
{
    /// <summary>torchvision's ImageNet normalisation (torchvision.transforms._presets.ImageClassification).</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    private readonly ResNet? _model;
    private readonly IInferenceEngine _engine;
    private readonly float[] _mean, _std;
    private readonly float _cropFraction;

    private Predictor(string name, ResNet model, IReadOnlyList<string> labels, float[] mean, float[] std, InputShape input, Device device,
        EngineSettings engine, float cropFraction = ImageTransforms.CenterCropFraction)
    {
        (ModelName, _model, Labels, _mean, _std, Input, _cropFraction) = (name, model, labels, mean, std, input, cropFraction);
        try
        {
            _model.eval();
            _engine = InferenceEngines.Create(_model, engine.Kind, device, engine.Fused, engine.Precision, engine.Threads);
        }
        catch
        {
            _model.Dispose();
            throw;
        }
    }

    private Predictor(OnnxModelInfo info, IInferenceEngine engine) =>
        (ModelName, _engine, Labels, _mean, _std, Input, _cropFraction) = (info.Model, engine, info.Labels, info.Mean, info.Std, info.Input, info.CropFraction);

    /// <summary>The class names, in class order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The model's input: channels, height and width of one preprocessed image.</summary>
    public InputShape Input { get; }

    /// <summary>The engine that runs the forward pass (its <see cref="IInferenceEngine.Name"/> and device).</summary>
    public IInferenceEngine Engine => _engine;

    /// <summary>The architecture's name, e.g. <c>resnet18</c>.</summary>
    public string ModelName { get; }

    /// <summary>The labels, preprocessing and input size, as an ONNX model file stores them.</summary>
    public OnnxModelInfo Description => new(ModelName, Labels, _mean, _std, Input, _cropFraction);

    /// <summary>Floats in one preprocessed image (C x H x W).</summary>
    public int ImageSize => Input.Channels * Input.Height * Input.Width;

    /// <summary>A predictor for a checkpoint written by training.</summary>
    public static Predictor FromCheckpoint(string path, Device? device = null, EngineSettings? engine = null)
    {
        var (model, info) = Checkpoint.Load(path);
        return new Predictor(info.Model, model, info.Classes, info.Mean, info.Std, info.InputSize, device ?? CPU, engine ?? new());
    }

    /// <summary>
    /// A predictor for an ONNX file of ours, fp32 or int8 (<see cref="OnnxModelFile"/>), run by ONNX Runtime on the
    /// CPU with <paramref name="threads"/> intra-op threads (<see cref="EngineSettings.Threads"/>; 0: one per core),
    /// with the labels and preprocessing stored in its metadata.
    /// </summary>
    public static Predictor FromOnnx(string path, int threads = 0)
    {
        var (bytes, _, info) = OnnxModelFile.Load(path);
        try
        {
            return new Predictor(info, new OnnxRuntimeEngine(bytes, info.Labels.Count, threads));
        }
        catch (OnnxRuntimeException e)
        {
            throw new ResNetSharpException($"ONNX Runtime cannot load '{path}' ({e.Message}): export or quantize the model again.", e);
        }
    }

    /// <summary>
    /// A predictor for a named model with bare weights (strictly loaded), using ImageNet preprocessing; labels from
    /// <paramref name="labelsPath"/> (one per line, as many as the model has classes) or the class indices.
    /// <paramref name="weightsPath"/> may name torchvision's published weights (<see cref="PretrainedWeights"/>), whose
    /// resize side (256, or 232 for V2) the preprocessing then uses, as torchvision's transforms do.
    /// </summary>
    public static Predictor FromWeights(string modelName, string weightsPath, Device? device = null, string? labelsPath = null,
        EngineSettings? engine = null)
    {
        weightsPath = PretrainedWeights.Resolve(modelName, weightsPath);
        var model = WeightLoading.LoadModel(modelName, weightsPath);
        int classes = model.Config.NumClasses;
        string[] labels;
        try
        {
            if (model.Config.Head != HeadKind.Classifier)
                throw new ResNetSharpException($"'{weightsPath}' has no classifier (fc.weight), so it cannot classify: give weights with one.");
            labels = labelsPath is null ? [.. Enumerable.Range(0, classes).Select(i => i.ToString())] : ReadLabels(labelsPath, classes);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var input = model.Config.Stem == StemKind.Cifar ? InputShape.For(model.Config) : new InputShape(model.Config.InChannels, 224, 224);
        float fraction = PretrainedWeights.ForFile(weightsPath)?.CropFraction ?? ImageTransforms.CenterCropFraction;
        return new Predictor(modelName, model, labels, ImageNetMean, ImageNetStd, input, device ?? CPU, engine ?? new(), fraction);
    }

    /// <summary>The non-empty lines of a labels file, which must be exactly <paramref name="classes"/>.</summary>
    private static string[] ReadLabels(string path, int classes)
    {
        if (!File.Exists(path)) throw new ResNetSharpException($"labels file not found: '{path}'. Give a text file with one class name per line.");
        var labels = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return labels.Length == classes ? labels
            : throw new ResNetSharpException($"'{path}' has {labels.Length} labels but the model has {classes} classes: give one name per line, in class order.");
    }

    /// <summary>The <paramref name="k"/> most probable classes of an image file, most probable first.</summary>
    public IReadOnlyList<Prediction> Predict(string imagePath, int k = 5) => Predict([imagePath], k).Single().Top;

    /// <summary>
    /// The <paramref name="k"/> most probable classes of each image file, most probable first, in the files' order;
    /// <paramref name="batchSize"/> images per forward pass, each batch's results yielded as soon as it is done.
    /// </summary>
    public IEnumerable<(string Image, IReadOnlyList<Prediction> Top)> Predict(IEnumerable<string> imagePaths, int k = 5, int batchSize = 32)
    {
        PredictOptions.CheckTopK(k);
        InferenceSettings.CheckBatchSize(batchSize);
        return imagePaths.Chunk(batchSize).SelectMany(batch => PredictBatch(batch, k));
    }

    private IEnumerable<(string Image, IReadOnlyList<Prediction> Top)> PredictBatch(string[] paths, int k)
    {
        var logits = Logits(PreprocessFiles(paths), paths.Length);
        int classes = logits.Length / paths.Length;
        return paths.Select((path, row) => (path, TopK(logits.AsSpan(row * classes, classes), k)));
    }

    /// <summary>The model (in eval mode), its class labels and its input normalisation, e.g. for explanations.</summary>
    public (ResNet Model, IReadOnlyList<string> Labels, float[] Mean, float[] Std) Parts =>
        (_model ?? throw new ResNetSharpException($"'{ModelName}' was loaded from an ONNX file, which has no TorchSharp model: give a checkpoint or weights instead."), Labels, _mean, _std);

    /// <summary>The image files decoded and preprocessed as <see cref="Predict(IEnumerable{string}, int, int)"/> does, on all cores, as one float [B,C,H,W] batch on the CPU.</summary>
    public Tensor Preprocess(string[] paths) => tensor(PreprocessFiles(paths), [paths.Length, Input.Channels, Input.Height, Input.Width]);

    /// <summary>The image files preprocessed on all cores: <see cref="ImageSize"/> floats per file, in order.</summary>
    private float[] PreprocessFiles(string[] paths)
    {
        var input = new float[paths.Length * ImageSize];
        ParallelLoop.For(paths.Length, i =>
        {
            using var bitmap = ImageFiles.Decode(paths[i]);
            Preprocess(bitmap).CopyTo(input, i * ImageSize);
        });
        return input;
    }

    /// <summary>
    /// One decoded image preprocessed as for evaluation (resize and centre crop unless already at the input size,
    /// scale to [0,1], normalise): <see cref="ImageSize"/> floats, [C,H,W] row-major. Safe on any thread.
    /// </summary>
    public float[] Preprocess(SKBitmap image)
    {
        using var scope = NewDisposeScope();
        var pixels = ImageFiles.ToTensor(image, Input.Channels);
        return ImageFiles.PreprocessForEval(pixels, (Input.Channels, Input.Height, Input.Width), _mean, _std, _cropFraction).data<float>().ToArray();
    }

    /// <summary>The logits [batch, classes] of <paramref name="batch"/> preprocessed images, one forward pass.</summary>
    public float[] Logits(float[] input, int batch) => _engine.Logits(input, [batch, Input.Channels, Input.Height, Input.Width]);

    /// <summary>
    /// The <paramref name="k"/> best classes of one image's logits, ranked by logit (ties by class index), each
    /// with its softmax probability (computed in double precision).
    /// </summary>
    public IReadOnlyList<Prediction> TopK(ReadOnlySpan<float> logits, int k)
    {
        PredictOptions.CheckTopK(k);
        double max = double.NegativeInfinity, sum = 0;
        foreach (var l in logits) max = Math.Max(max, l);
        foreach (var l in logits) sum += Math.Exp(l - max);
        var order = new int[logits.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var values = logits.ToArray();
        return [.. order.OrderByDescending(i => values[i]).ThenBy(i => i).Take(k)
            .Select(i => new Prediction(i, Labels[i], Math.Exp(values[i] - max) / sum, values[i]))];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _engine.Dispose();
        _model?.Dispose();
    }
}
