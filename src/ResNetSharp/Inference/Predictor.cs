using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Training;
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
/// batches; with <c>fused</c> through the inference fast path (<see cref="FusedResNet"/>, channels_last).
/// </summary>
public sealed class Predictor : IDisposable
{
    /// <summary>torchvision's ImageNet normalisation (torchvision.transforms._presets.ImageClassification).</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    private readonly ResNet _model;
    private readonly FusedResNet? _fused;
    private readonly IReadOnlyList<string> _labels;
    private readonly float[] _mean, _std;
    private readonly InputShape _input;
    private readonly float _cropFraction;
    private readonly Device _device;

    private Predictor(ResNet model, IReadOnlyList<string> labels, float[] mean, float[] std, InputShape input, Device device, bool fused,
        float cropFraction = ImageTransforms.CenterCropFraction)
    {
        (_model, _labels, _mean, _std, _input, _device, _cropFraction) = (model, labels, mean, std, input, device, cropFraction);
        _model.to(device).eval();
        try
        {
            _fused = fused ? new FusedResNet(_model, channelsLast: true) : null;
        }
        catch
        {
            _model.Dispose();
            throw;
        }
    }

    /// <summary>A predictor for a checkpoint written by training.</summary>
    public static Predictor FromCheckpoint(string path, Device? device = null, bool fused = false)
    {
        var (model, info) = Checkpoint.Load(path);
        return new Predictor(model, info.Classes, info.Mean, info.Std, info.InputSize, device ?? CPU, fused);
    }

    /// <summary>
    /// A predictor for a named model with bare weights (strictly loaded), using ImageNet preprocessing; labels from
    /// <paramref name="labelsPath"/> (one per line, as many as the model has classes) or the class indices.
    /// <paramref name="weightsPath"/> may name torchvision's published weights (<see cref="PretrainedWeights"/>), whose
    /// resize side (256, or 232 for V2) the preprocessing then uses, as torchvision's transforms do.
    /// </summary>
    public static Predictor FromWeights(string modelName, string weightsPath, Device? device = null, string? labelsPath = null, bool fused = false)
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
        return new Predictor(model, labels, ImageNetMean, ImageNetStd, input, device ?? CPU, fused, fraction);
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
        if (k < 1) throw new ResNetSharpException($"--topk must be at least 1, not {k}.");
        if (batchSize < 1) throw new ResNetSharpException($"--batch-size must be at least 1, not {batchSize}.");
        return imagePaths.Chunk(batchSize).SelectMany(batch => PredictBatch(batch, k));
    }

    private List<(string Image, IReadOnlyList<Prediction> Top)> PredictBatch(string[] paths, int k)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = Preprocess(paths).to(_device);
        var logits = (_fused is null ? _model.call(x) : _fused.call(x)).to(float32).cpu();
        var (values, indexes) = logits.softmax(1).topk(Math.Min(k, (int)logits.shape[1]), dim: 1);
        var (p, idx, l) = (values.data<float>().ToArray(), indexes.data<long>().ToArray(), logits.data<float>().ToArray());
        int top = (int)values.shape[1], classes = (int)logits.shape[1];
        return [.. paths.Select((path, row) => (path, (IReadOnlyList<Prediction>)[.. Enumerable.Range(row * top, top).Select(j =>
            new Prediction((int)idx[j], _labels[(int)idx[j]], p[j], l[row * classes + idx[j]]))]))];
    }

    /// <summary>The model (in eval mode), its class labels and its input normalisation, e.g. for explanations.</summary>
    public (ResNet Model, IReadOnlyList<string> Labels, float[] Mean, float[] Std) Parts => (_model, _labels, _mean, _std);

    /// <summary>The images decoded and preprocessed as <see cref="Predict(IEnumerable{string}, int, int)"/> does, on all cores, stacked into one float [B,C,H,W] batch (on the CPU).</summary>
    public Tensor Preprocess(string[] paths)
    {
        var shape = (_input.Channels, _input.Height, _input.Width);
        var images = new Tensor[paths.Length];
        try
        {
            // Worker threads have no dispose scope: each image is detached there and disposed here.
            Workers.For(paths.Length, i =>
            {
                using var scope = NewDisposeScope();
                images[i] = ImageFiles.PreprocessForEval(ImageFiles.Load(paths[i], _input.Channels), shape, _mean, _std, _cropFraction)
                    .DetachFromDisposeScope();
            });
            return stack(images, 0);
        }
        finally
        {
            foreach (var image in images) image?.Dispose();
        }
    }

    public void Dispose()
    {
        _fused?.Dispose();
        _model.Dispose();
    }
}
