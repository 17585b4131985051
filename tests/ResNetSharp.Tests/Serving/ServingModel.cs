using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Serving;
using ResNetSharp.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// A small classifier to serve (small_resnet: CIFAR stem, 32x32, 10 classes, seeded random weights) with its
/// labels file and test images: one at the input size, one 50x40 (resized and centre-cropped), a truncated PNG and
/// bytes that are no image. The eager model itself is the reference for the server's logits.
/// </summary>
public sealed class ServingModel : IDisposable
{
    private readonly TempDir _temp = new();

    public ServingModel()
    {
        manual_seed(12);
        Model = ResNet.Create("small_resnet");
        Model.eval();
        using (var state = WeightLoading.StateDict(Model)) SafeTensors.Save(Weights, state.Tensors);
        File.WriteAllLines(Labels, Names);
        TestImages.Write(Square, 32, 32, (x, y) => new SKColor((byte)(x * 8), (byte)(y * 8), 200));
        TestImages.Write(Wide, 50, 40, (x, y) => new SKColor((byte)(255 - x * 5), 90, (byte)(y * 6)));
    }

    public ResNet Model { get; }
    public string[] Names { get; } = [.. Enumerable.Range(0, 10).Select(i => $"class {(char)('a' + i)}")];
    public string Weights => _temp.Combine("small.safetensors");
    public string Labels => _temp.Combine("labels.txt");
    public string Square => _temp.Combine("square.png");
    public string Wide => _temp.Combine("wide.png");

    /// <summary>The first bytes of the square PNG: a valid header, the pixels cut short.</summary>
    public byte[] Truncated => File.ReadAllBytes(Square)[..60];

    /// <summary>Serving options for this model (the default engine: onnxruntime on the CPU), as <c>resnet serve --model small_resnet</c> makes them.</summary>
    public ResNetClassifierOptions Options(string engine = "auto") =>
        new() { Model = "small_resnet", Weights = Weights, Labels = Labels, Device = "cpu", Engine = engine, MaxDelayMs = 2 };

    /// <summary>The eager model's logits [N, 10] of a normalised batch.</summary>
    public float[][] Logits(float[] input, int n)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logits = Model.call(tensor(input, [n, 3, 32, 32]));
        return [.. Enumerable.Range(0, n).Select(i => logits[i].data<float>().ToArray())];
    }

    public void Dispose()
    {
        Model.Dispose();
        _temp.Dispose();
    }
}
