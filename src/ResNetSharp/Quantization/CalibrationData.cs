using ResNetSharp.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Quantization;

/// <summary>Calibration batches from a data set (<c>--calibrate SPEC</c>).</summary>
public static class CalibrationData
{
    /// <summary>
    /// The images of one split of <paramref name="source"/> preprocessed as for evaluation (no augmentation; the
    /// training split in a fixed shuffle, so its first images are a random sample), as float [B,C,H,W] CPU batches,
    /// each disposed when the next is requested. Enumerable more than once, giving the same images. Small batches by
    /// default: calibration reads every activation of a batch at once (some 60 MB of floats per 224x224 image for resnet50).
    /// </summary>
    public static IEnumerable<Tensor> Images(DataSource source, Split split = Split.Train, int batchSize = 8)
    {
        using var loader = source.CreateLoader(split, batchSize, CPU, seed: 0, Augmentation.None);
        foreach (var batch in loader.Epoch(0))
            using (batch)
                yield return batch.Images;
    }
}
