using static TorchSharp.torch;

namespace ResNetSharp.Data.Transforms;

/// <summary>
/// Turns a uint8 batch [B,C,H,W] into a normalised float batch on its device, applying the training augmentation
/// with random parameters drawn from a seeded CPU generator (so results do not depend on the device):
/// random crop with padding, horizontal flip, normalisation, cutout — in that order.
/// </summary>
public sealed class BatchAugmenter(Augmentation augment, bool allowFlip, float[] mean, float[] std)
{
    /// <summary>Augments (when <paramref name="generator"/> is given) and normalises one batch.</summary>
    public Tensor Apply(Tensor images, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], h = images.shape[2], w = images.shape[3];
        var x = images;
        if (generator is not null && augment.Crop && augment.CropPadding > 0)
            x = TensorTransforms.CropWithPadding(x, augment.CropPadding, randint(2 * augment.CropPadding + 1, [b, 2], generator: generator));
        if (generator is not null && augment.Flip && allowFlip)
            x = TensorTransforms.HorizontalFlip(x, rand([b], generator: generator) < 0.5);
        x = TensorTransforms.Normalize(x, mean, std);
        if (generator is not null && augment.Cutout)
        {
            int size = augment.CutoutSize > 0 ? augment.CutoutSize : (int)Math.Min(h, w) / 2;
            var centers = stack([randint(h, [b], generator: generator), randint(w, [b], generator: generator)], 1);
            x = TensorTransforms.Cutout(x, size, centers);
        }
        return x.MoveToOuterDisposeScope();
    }
}
