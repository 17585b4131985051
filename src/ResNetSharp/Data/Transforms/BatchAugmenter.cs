using ResNetSharp.Data.Augment;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Transforms;

/// <summary>
/// Turns a uint8 batch [B,C,H,W] into a normalised float batch on its device, applying the training augmentation
/// with random parameters drawn from a seeded CPU generator (so results do not depend on the device):
/// random crop with padding, horizontal flip, the per-image policy (TrivialAugment, RandAugment, AutoAugment) on the
/// uint8 images, normalisation, cutout, random erasing, then mixup or CutMix — in that order.
/// </summary>
public sealed class BatchAugmenter(Augmentation augment, bool allowFlip, float[] mean, float[] std)
{
    /// <summary>
    /// Augments (when <paramref name="generator"/> is given) and normalises one batch (unless already
    /// <paramref name="normalized"/>). The inputs stay the caller's: the batch holds its own handles.
    /// </summary>
    public Batch Apply(Tensor images, Tensor labels, Generator? generator, bool normalized = false)
    {
        using var scope = NewDisposeScope();
        labels = labels.alias();
        long b = images.shape[0], h = images.shape[2], w = images.shape[3];
        var x = images;
        if (generator is not null && augment.Crop && augment.CropPadding > 0)
            x = TensorTransforms.CropWithPadding(x, augment.CropPadding, randint(2 * augment.CropPadding + 1, [b, 2], generator: generator));
        if (generator is not null && augment.Flip && allowFlip)
            x = TensorTransforms.HorizontalFlip(x, rand([b], generator: generator) < 0.5);
        if (generator is not null && augment.Policy is not null && !normalized) x = augment.Policy.Apply(x, generator);
        if (!normalized) x = TensorTransforms.Normalize(x, mean, std);
        if (generator is not null && augment.Cutout)
        {
            int size = augment.CutoutSize > 0 ? augment.CutoutSize : (int)Math.Min(h, w) / 2;
            var centers = stack([randint(h, [b], generator: generator), randint(w, [b], generator: generator)], 1);
            x = TensorTransforms.Cutout(x, size, centers);
        }
        if (generator is not null && augment.Erasing > 0) x = RandomErasing.Apply(x, augment.Erasing, generator);
        if (generator is null || !augment.Mixes) return new Batch(x, labels);
        bool cutMix = augment.Mixup <= 0 || (augment.CutMix > 0 && rand([1], generator: generator).item<float>() < 0.5f);
        double weight = SampleBeta(cutMix ? augment.CutMix : augment.Mixup, generator);
        if (cutMix)
        {
            var box = CutMixBox(h, w, weight, generator);
            x = TensorTransforms.CutMix(x, box);
            weight = 1 - (double)(box.Bottom - box.Top) * (box.Right - box.Left) / (h * w);
        }
        else x = TensorTransforms.Mixup(x, weight);
        return new Batch(x, labels, labels.flip(0), weight);
    }

    /// <summary>One draw from Beta(α, α): the first component of a two-component Dirichlet(α, α) draw.</summary>
    private static double SampleBeta(double alpha, Generator generator)
    {
        using var scope = NewDisposeScope();
        return _sample_dirichlet(tensor(new[] { alpha, alpha }), generator)[0].item<double>();
    }

    /// <summary>
    /// timm's <c>rand_bbox</c>: a box of sides ⌊side·√(1 − weight)⌋ centred at a uniform pixel, clipped to the image;
    /// the caller corrects the weight to the clipped box's area, as timm's <c>correct_lam</c> does.
    /// </summary>
    private static (int Top, int Left, int Bottom, int Right) CutMixBox(long h, long w, double weight, Generator generator)
    {
        using var scope = NewDisposeScope();
        double ratio = Math.Sqrt(1 - weight);
        int cutH = (int)(h * ratio), cutW = (int)(w * ratio);
        int cy = (int)randint(h, [1], generator: generator).item<long>();
        int cx = (int)randint(w, [1], generator: generator).item<long>();
        return ((int)Math.Clamp(cy - cutH / 2, 0, h), (int)Math.Clamp(cx - cutW / 2, 0, w),
                (int)Math.Clamp(cy + cutH / 2, 0, h), (int)Math.Clamp(cx + cutW / 2, 0, w));
    }
}
