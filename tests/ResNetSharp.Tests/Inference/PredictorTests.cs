using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Tests.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Inference;

public class PredictorTests : IDisposable
{
    private readonly TempDir _temp = new();

    [Fact]
    public void Named_model_with_weights_uses_imagenet_preprocessing_and_the_labels_file()
    {
        manual_seed(5);
        using var model = ResNet.Create("small_resnet");   // CIFAR stem: 32x32 input, 10 classes
        model.eval();
        string weights = _temp.Combine("w.safetensors"), labels = _temp.Combine("labels.txt"), png = _temp.Combine("x.png");
        using (var state = WeightLoading.StateDict(model)) SafeTensors.Save(weights, state.Tensors);
        string[] names = [.. Enumerable.Range(0, 10).Select(i => $"class {(char)('a' + i)}")];
        File.WriteAllLines(labels, [.. names, ""]);   // a trailing empty line is fine
        TestImages.Write(png, 32, 32, (x, y) => new SkiaSharp.SKColor((byte)(x * 8), (byte)(y * 8), 200));

        using var predictor = Predictor.FromWeights("small_resnet", weights, labelsPath: labels);
        var top = predictor.Predict(png, k: 10);

        // Independent path: the PNG's known pixels, normalised by hand with ImageNet's mean and std.
        var pixels = new float[3, 32, 32];
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
                (pixels[0, y, x], pixels[1, y, x], pixels[2, y, x]) = (x * 8 / 255f, y * 8 / 255f, 200 / 255f);
        using var input = (tensor(pixels) - tensor(new[] { 0.485f, 0.456f, 0.406f }).view(3, 1, 1)) / tensor(new[] { 0.229f, 0.224f, 0.225f }).view(3, 1, 1);
        using var logits = model.call(input.unsqueeze(0))[0];
        foreach (var p in top)
        {
            Assert.Equal(names[p.Index], p.Label);
            Assert.Equal(logits[p.Index].item<float>(), p.Logit, 1e-4);
        }
        Assert.Equal(logits.argmax().item<long>(), top[0].Index);
    }

    [Fact]
    public void A_labels_file_of_the_wrong_length_is_a_clear_error()
    {
        using var model = ResNet.Create("small_resnet");
        string weights = _temp.Combine("w.safetensors"), labels = _temp.Combine("labels.txt");
        using (var state = WeightLoading.StateDict(model)) SafeTensors.Save(weights, state.Tensors);
        File.WriteAllLines(labels, ["cat", "dog"]);
        var e = Assert.Throws<ResNetSharpException>(() => Predictor.FromWeights("small_resnet", weights, labelsPath: labels));
        Assert.Contains("has 2 labels but the model has 10 classes", e.Message);
    }

    public void Dispose() => _temp.Dispose();
}
