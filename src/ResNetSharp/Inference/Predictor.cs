using ResNetSharp.Data.Images;
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
/// else the class indices). An image already at the input size is not resampled.
/// </summary>
public sealed class Predictor : IDisposable
{
    /// <summary>torchvision's ImageNet normalisation (torchvision.transforms._presets.ImageClassification).</summary>
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    private readonly ResNet _model;
    private readonly IReadOnlyList<string> _labels;
    private readonly float[] _mean, _std;
    private readonly InputShape _input;
    private readonly Device _device;

    private Predictor(ResNet model, IReadOnlyList<string> labels, float[] mean, float[] std, InputShape input, Device device)
    {
        (_model, _labels, _mean, _std, _input, _device) = (model, labels, mean, std, input, device);
        _model.to(device).eval();
    }

    /// <summary>A predictor for a checkpoint written by training.</summary>
    public static Predictor FromCheckpoint(string path, Device? device = null)
    {
        var (model, info) = Checkpoint.Load(path);
        return new Predictor(model, info.Classes, info.Mean, info.Std, info.InputSize, device ?? CPU);
    }

    /// <summary>
    /// A predictor for a named model with bare weights (strictly loaded), using ImageNet preprocessing; labels from
    /// <paramref name="labelsPath"/> (one per line, as many as the model has classes) or the class indices.
    /// </summary>
    public static Predictor FromWeights(string modelName, string weightsPath, Device? device = null, string? labelsPath = null)
    {
        using var weights = WeightLoading.ReadFile(weightsPath);
        int classes = weights.Tensors.TryGetValue("fc.weight", out var fc) ? (int)fc.shape[0] : ModelZoo.Config(modelName).NumClasses;
        string[] labels = labelsPath is null ? [.. Enumerable.Range(0, classes).Select(i => i.ToString())] : ReadLabels(labelsPath, classes);
        var model = ResNet.Create(modelName, numClasses: classes);
        try
        {
            WeightLoading.LoadInto(model, weights.Tensors, strict: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        var input = model.Config.Stem == StemKind.Cifar ? InputShape.For(model.Config) : new InputShape(model.Config.InChannels, 224, 224);
        return new Predictor(model, labels, ImageNetMean, ImageNetStd, input, device ?? CPU);
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
    public IReadOnlyList<Prediction> Predict(string imagePath, int k = 5)
    {
        if (k < 1) throw new ResNetSharpException($"--topk must be at least 1, not {k}.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var image = ImageFiles.Load(imagePath, _input.Channels);
        var x = ImageFiles.PreprocessForEval(image, (_input.Channels, _input.Height, _input.Width), _mean, _std);
        var logits = _model.forward(x.unsqueeze(0).to(_device)).squeeze(0).to(float32).cpu();
        var probs = logits.softmax(0);
        var (values, indexes) = probs.topk(Math.Min(k, (int)logits.shape[0]));
        var p = values.data<float>().ToArray();
        var idx = indexes.data<long>().ToArray();
        var l = logits.data<float>().ToArray();
        return [.. idx.Select((i, j) => new Prediction((int)i, _labels[(int)i], p[j], l[i]))];
    }

    public void Dispose() => _model.Dispose();
}
