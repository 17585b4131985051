using ResNetSharp.Inference;
using static TorchSharp.torch;

namespace ResNetSharp.Quantization;

/// <summary>How often two models (e.g. an int8 file and its fp32 model) pick the same top-1 class (<c>resnet eval</c> of an int8 file).</summary>
public static class Top1Agreement
{
    /// <summary>
    /// The images of <paramref name="batches"/> (float [B,C,H,W] CPU batches, preprocessed for both) on which
    /// <paramref name="a"/> and <paramref name="b"/> rank the same class first, and the number of images.
    /// </summary>
    public static (int Agree, int Total) Measure(Predictor a, Predictor b, IEnumerable<Tensor> batches)
    {
        int agree = 0, total = 0;
        foreach (var batch in batches)
        {
            int size = (int)batch.shape[0];
            var images = batch.cpu().contiguous().data<float>().ToArray();
            var (x, y) = (a.Logits(images, size), b.Logits(images, size));
            if (x.Length != y.Length)
                throw new ResNetSharpException($"the models have different numbers of classes ({x.Length / size} and {y.Length / size}): compare an int8 file with the fp32 model it came from.");
            int classes = x.Length / size;
            for (int i = 0; i < size; i++)
                if (ArgMax(x.AsSpan(i * classes, classes)) == ArgMax(y.AsSpan(i * classes, classes))) agree++;
            total += size;
        }
        return (agree, total);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
