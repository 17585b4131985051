using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Evaluation;

/// <summary>Flip TTA in the evaluator against the averaged softmax computed by hand.</summary>
public class TestTimeAugmentationTests
{
    private sealed class OneBatch(Tensor images, Tensor labels) : IDataLoader
    {
        public long Count => labels.shape[0];
        public int BatchesPerEpoch => 1;
        public IEnumerable<Batch> Epoch(int epoch) { yield return new Batch(images.alias(), labels.alias()); }
        public void Dispose() { }
    }

    [Fact]
    public void Flip_averages_the_probabilities_of_the_image_and_its_mirror_image()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 3 * 5, 4));
        var images = randn(6, 2, 3, 5);
        var labels = tensor(new long[] { 0, 1, 2, 3, 1, 2 });
        string[] classes = ["a", "b", "c", "d"];
        using var loader = new OneBatch(images, labels);

        var flipped = Evaluator.Run(model, loader, classes, tta: TestTimeAugmentation.Flip);
        var plain = Evaluator.Run(model, loader, classes);

        using var _ = no_grad();
        var p = (model.forward(images).softmax(1) + model.forward(images.flip(3)).softmax(1)) / 2;
        double loss = -p.gather(1, labels.unsqueeze(1)).log().mean().item<float>();
        double top1 = p.argmax(1).eq(labels).to(float32).mean().item<float>();
        double plainLoss = nn.functional.cross_entropy(model.forward(images), labels).item<float>();
        Assert.Equal(loss, flipped.Loss, 5);
        Assert.Equal(top1, flipped.Top1, 6);
        Assert.Equal(plainLoss, plain.Loss, 5);
        Assert.NotEqual(plain.Loss, flipped.Loss, 3);
    }

    [Theory]
    [InlineData("flip", TestTimeAugmentation.Flip)]
    [InlineData("None", TestTimeAugmentation.None)]
    public void Parse_reads_the_names(string text, TestTimeAugmentation expected) => Assert.Equal(expected, TestTimeAugmentations.Parse(text));

    [Theory]
    [InlineData("crop")]
    [InlineData("1")]
    public void Parse_rejects_anything_else_with_a_clear_error(string text) =>
        Assert.Contains("use 'none' or 'flip'", Assert.Throws<ResNetSharpException>(() => TestTimeAugmentations.Parse(text)).Message);
}
