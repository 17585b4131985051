using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Transforms;

/// <summary>
/// Batch-wise image transforms as tensor ops, run on whatever device the batch is on. Each takes its random
/// parameters explicitly (so it can be tested against hand-computed tensors); <see cref="BatchAugmenter"/> draws them.
/// Images are [B,C,H,W] (uint8 or float) unless stated.
/// </summary>
public static class TensorTransforms
{
    /// <summary>
    /// Scales to [0,1] (uint8 input is divided by 255) and normalises per channel: (x - mean) / std, like torchvision's
    /// ToTensor + Normalize. Works on [C,H,W] and [B,C,H,W]; returns float32.
    /// </summary>
    public static Tensor Normalize(Tensor images, float[] mean, float[] std)
    {
        using var scope = NewDisposeScope();
        var x = images.to(float32);
        if (images.dtype == ScalarType.Byte) x = x.div(255f);
        var m = tensor(mean, device: images.device).view(-1, 1, 1);
        var s = tensor(std, device: images.device).view(-1, 1, 1);
        return x.sub(m).div(s).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Random crop with zero padding (torchvision RandomCrop(size, padding)): pads every side by
    /// <paramref name="padding"/> and takes the H×W window whose top-left corner in the padded image is
    /// <paramref name="offsets"/>[b] = (dy, dx), each in [0, 2·padding].
    /// </summary>
    public static Tensor CropWithPadding(Tensor images, int padding, Tensor offsets)
    {
        using var scope = NewDisposeScope();
        long b = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        long wp = w + 2 * padding;
        var padded = nn.functional.pad(images, [padding, padding, padding, padding]);
        var off = offsets.to(int64).to(images.device);
        var rows = off[.., 0..1] + arange(h, device: images.device);            // [B,H]
        var cols = off[.., 1..2] + arange(w, device: images.device);            // [B,W]
        var index = (rows.unsqueeze(2) * wp + cols.unsqueeze(1)).view(b, 1, h * w).expand(b, c, h * w);
        return padded.reshape(b, c, -1).gather(2, index).view(b, c, h, w).MoveToOuterDisposeScope();
    }

    /// <summary>Flips left-right the images whose <paramref name="mask"/>[b] is true.</summary>
    public static Tensor HorizontalFlip(Tensor images, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var m = mask.to(@bool).to(images.device).view(-1, 1, 1, 1);
        return where(m, images.flip(3), images).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Cutout (DeVries &amp; Taylor 2017): sets to zero rows [cy - size/2, cy + size/2) × columns
    /// [cx - size/2, cx + size/2), clipped to the image, where <paramref name="centers"/>[b] = (cy, cx).
    /// Applied after normalisation, zero is the mean colour, as in the reference code.
    /// </summary>
    public static Tensor Cutout(Tensor images, int size, Tensor centers)
    {
        using var scope = NewDisposeScope();
        var ctr = centers.to(int64);
        int half = size / 2;
        return Erase(images, cat([ctr - half, ctr + half], 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sets to zero, in image b, rows [top, bottom) × columns [left, right) of <paramref name="boxes"/>[b] =
    /// (top, left, bottom, right), clipped to the image (an empty box leaves the image alone).
    /// </summary>
    public static Tensor Erase(Tensor images, Tensor boxes)
    {
        using var scope = NewDisposeScope();
        long h = images.shape[2], w = images.shape[3];
        var box = boxes.to(int64).to(images.device).view(-1, 4, 1, 1);
        var ys = arange(h, device: images.device).view(1, -1, 1);
        var xs = arange(w, device: images.device).view(1, 1, -1);
        var inside = (ys >= box[.., 0]) & (ys < box[.., 2]) & (xs >= box[.., 1]) & (xs < box[.., 3]);   // [B,H,W]
        return images.masked_fill(inside.unsqueeze(1), 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mixup in timm's batch mode: <paramref name="weight"/>·x + (1 − <paramref name="weight"/>)·x', where x' is the batch
    /// in reverse order (sample b is mixed with sample B−1−b). Float images.
    /// </summary>
    public static Tensor Mixup(Tensor images, double weight)
    {
        using var scope = NewDisposeScope();
        return images.mul(weight).add_(images.flip(0).mul(1 - weight)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// CutMix in timm's batch mode: rows [top, bottom) × columns [left, right) of each image are replaced by those of the
    /// batch in reverse order (sample B−1−b).
    /// </summary>
    public static Tensor CutMix(Tensor images, (int Top, int Left, int Bottom, int Right) box)
    {
        using var scope = NewDisposeScope();
        var mixed = images.clone();
        var rows = TensorIndex.Slice(box.Top, box.Bottom);
        var cols = TensorIndex.Slice(box.Left, box.Right);
        mixed[TensorIndex.Ellipsis, rows, cols] = images.flip(0)[TensorIndex.Ellipsis, rows, cols];
        return mixed.MoveToOuterDisposeScope();
    }
}
