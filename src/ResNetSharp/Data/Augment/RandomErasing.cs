using ResNetSharp.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Augment;

/// <summary>
/// torchvision 0.14's RandomErasing (Zhong et al. 2020) with its defaults, scale (0.02, 0.33), ratio (0.3, 3.3) and
/// value 0, on normalised float batches [B,C,H,W] (so 0 is the mean colour): each image, with probability p, gets one
/// rectangle of area fraction uniform in the scale range and log-uniform aspect ratio zeroed, at a uniform position;
/// when ten tries give no rectangle that fits, the image is left as it is.
/// </summary>
public static class RandomErasing
{
    /// <summary>torchvision's default probability.</summary>
    public const double DefaultProbability = 0.5;

    private const double MinScale = 0.02, MaxScale = 0.33, MinRatio = 0.3, MaxRatio = 3.3;
    private const int Tries = 10;

    /// <summary>The batch with each image erased with probability <paramref name="probability"/>.</summary>
    public static Tensor Apply(Tensor images, double probability, Generator generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0];
        var boxes = tensor(Boxes((int)b, images.shape[2], images.shape[3], probability, generator), device: images.device).view(b, 4);
        return TensorTransforms.Erase(images, boxes).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>RandomErasing.get_params</c> for each image, as (top, left, bottom, right) rows; an image left alone has an
    /// empty box. The sides are round(√(area·ratio)) × round(√(area/ratio)), rounded half to even as Python does.
    /// </summary>
    internal static long[] Boxes(int count, long height, long width, double probability, Generator generator)
    {
        const int columns = 3 + 2 * Tries;
        using var draws = rand([count, columns], float64, generator: generator);
        var u = draws.data<double>().ToArray();
        var boxes = new long[4 * count];
        double area = height * width, logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int i = 0; i < count; i++)
        {
            var r = u.AsSpan(i * columns, columns);
            if (r[0] >= probability) continue;
            for (int t = 0; t < Tries; t++)
            {
                double erase = area * (MinScale + (MaxScale - MinScale) * r[3 + 2 * t]);
                double ratio = Math.Exp(logMin + (logMax - logMin) * r[4 + 2 * t]);
                long h = (long)Math.Round(Math.Sqrt(erase * ratio)), w = (long)Math.Round(Math.Sqrt(erase / ratio));
                if (h >= height || w >= width) continue;
                long top = (long)(r[1] * (height - h + 1)), left = (long)(r[2] * (width - w + 1));
                boxes[4 * i] = top;
                boxes[4 * i + 1] = left;
                boxes[4 * i + 2] = top + h;
                boxes[4 * i + 3] = left + w;
                break;
            }
        }
        return boxes;
    }
}
