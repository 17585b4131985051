using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Loading;

/// <summary>
/// A loader of encoded images (files, tar members) through a <see cref="BatchPipeline"/>: a subclass gives each worker's
/// stream of samples for an epoch; each image is decoded and cropped in one pass (random-resized crop and flip for
/// training, resize + centre crop for validation) into the uint8 batch buffer, which goes to the device once, where
/// float conversion, normalisation (<see cref="RgbaNormalizer"/>) and cutout, erasing or mixing run; with a policy
/// (TrivialAugment, ...) the uint8 RGB images go to the device for it first and are normalised after it. A sample draws
/// its crop and flip from a generator seeded by (seed, epoch, its position).
/// </summary>
internal abstract class EncodedImageLoader : IDataLoader
{
    private readonly int _size;
    private readonly float _cropFraction;
    private readonly Device _device;
    private readonly Augmentation _augment;
    private readonly BatchAugmenter _augmenter;
    private readonly BatchPipeline _pipeline;
    private readonly BadImageLog _bad = new();
    private readonly RgbaNormalizer _normalizer;

    protected EncodedImageLoader(long count, Split split, int size, int batchSize, Device device, int seed, Augmentation augment,
        float[] mean, float[] std, float cropFraction, LoaderSettings settings)
    {
        DataSpec.CheckBatchSize(batchSize);
        Train = split == Split.Train;
        _size = size;
        BatchSize = batchSize;
        _device = device;
        Seed = seed;
        _cropFraction = cropFraction;
        _augment = Train ? augment : Augmentation.None;
        Settings = settings.Validate();
        // Crop and flip happen in the resampling pass; normalisation and cutout run batch-wise on the device.
        _augmenter = new BatchAugmenter(_augment with { Crop = false, Flip = false }, allowFlip: true, mean, std);
        _normalizer = new RgbaNormalizer(mean, std, size, device);
        Count = count;
        BatchesPerEpoch = DataSpec.BatchCount(Count, batchSize, Train);
        // An incomplete batch is dropped in training unless it is the only one (as DataSpec.BatchCount counts).
        _pipeline = new BatchPipeline(size, batchSize, Train && count >= batchSize, Settings.DecodeFor(split), Settings, _bad);
    }

    protected bool Train { get; }
    protected int BatchSize { get; }
    protected int Seed { get; }
    protected LoaderSettings Settings { get; }

    public long Count { get; }
    public int BatchesPerEpoch { get; }
    public long BadImages => _bad.Count;

    /// <summary>Each worker's samples in epoch <paramref name="epoch"/> (at most <see cref="LoaderSettings.WorkerCount"/> streams).</summary>
    protected abstract IReadOnlyList<IEnumerable<EncodedSample>> Streams(int epoch);

    public IEnumerable<Batch> Epoch(int epoch)
    {
        using var generator = new Generator(Seeds.Mix(Seed, epoch, 1));
        foreach (var batch in _pipeline.Run(Streams(epoch), (sample, w, h) => Rect(sample, w, h, epoch), (images, labels) => ToBatch(images, labels, generator)))
            yield return batch;
    }

    /// <summary>The sample's crop, then its flip (probability 1/2), from a generator seeded by (seed, epoch, position).</summary>
    private (SKRect, bool) Rect(EncodedSample sample, int width, int height, int epoch)
    {
        var rng = Seeds.Rng(Seed, epoch, sample.Position);
        var rect = _augment.Crop
            ? ImageTransforms.RandomResizedCropRect(width, height, rng)
            : ImageTransforms.CenterCropRect(width, height, _size, _size, _cropFraction);
        return (rect, _augment.Flip && rng.NextDouble() < 0.5);
    }

    /// <summary>
    /// uint8 RGBA [B,H,W,4] on the CPU → normalised float RGB [B,3,H,W] on the device → cutout, erasing, mixing; with a
    /// policy, uint8 RGB [B,3,H,W] on the device → policy → normalisation → the rest.
    /// </summary>
    private Batch ToBatch(Tensor rgba, long[] labels, Generator generator)
    {
        using var scope = NewDisposeScope();
        var targets = tensor(labels).to(_device);
        if (_augment.Policy is not null)
            return _augmenter.Apply(rgba.to(_device).narrow(3, 0, 3).permute(0, 3, 1, 2).contiguous(), targets, Train ? generator : null);
        return _augmenter.Apply(_normalizer.Apply(rgba), targets, Train ? generator : null, normalized: true);
    }

    public void Dispose()
    {
        _normalizer.Dispose();
        _pipeline.Dispose();
    }
}
