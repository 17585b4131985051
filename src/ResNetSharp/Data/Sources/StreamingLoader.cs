using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Streams an ImageFolder split through a <see cref="BatchPipeline"/>: the epoch's order (shuffled from (seed, epoch)
/// for training) is cut into batches, worker w building batches w, w + workers, …; each image is decoded and cropped in
/// one pass (random-resized crop and flip for training, resize + centre crop for validation) into the uint8 batch
/// buffer. The uint8 batch goes to the device once, where float conversion, normalisation and cutout run
/// (<see cref="RgbaNormalizer"/>). Sample i of an epoch draws its crop and flip from a generator seeded by
/// (seed, epoch, i), so batches are identical whatever the worker count and scheduling.
/// </summary>
internal sealed class StreamingLoader : IDataLoader
{
    private readonly ImageFolder.Listing _listing;
    private readonly bool _train;
    private readonly int _size, _batchSize, _seed;
    private readonly float _cropFraction;
    private readonly Device _device;
    private readonly Augmentation _augment;
    private readonly BatchAugmenter _augmenter;
    private readonly LoaderSettings _settings;
    private readonly BatchPipeline _pipeline;
    private readonly BadImageLog _bad = new();
    private readonly RgbaNormalizer _normalizer;

    public StreamingLoader(ImageFolder.Listing listing, Split split, int size, int batchSize, Device device, int seed,
        Augmentation augment, float[] mean, float[] std, float cropFraction = ImageTransforms.CenterCropFraction, LoaderSettings? settings = null)
    {
        _cropFraction = cropFraction;
        DataSpec.CheckBatchSize(batchSize);
        _listing = listing;
        _train = split == Split.Train;
        _size = size;
        _batchSize = batchSize;
        _device = device;
        _seed = seed;
        _augment = _train ? augment : Augmentation.None;
        _settings = (settings ?? LoaderSettings.Default).Validate();
        // Crop and flip happen in the resampling pass; normalisation and cutout run batch-wise on the device.
        _augmenter = new BatchAugmenter(_augment with { Crop = false, Flip = false }, allowFlip: true, mean, std);
        _normalizer = new RgbaNormalizer(mean, std, size, device);
        Count = listing.Files.Count;
        BatchesPerEpoch = DataSpec.BatchCount(Count, batchSize, _train);
        _pipeline = new BatchPipeline(size, batchSize, _train, _settings.DecodeFor(split), _settings, _bad);
    }

    public long Count { get; }
    public int BatchesPerEpoch { get; }
    public long BadImages => _bad.Count;

    public IEnumerable<Batch> Epoch(int epoch)
    {
        int[] order = [.. Enumerable.Range(0, (int)Count)];
        if (_train) Seeds.Rng(_seed, epoch).Shuffle(order);
        int workers = Math.Min(_settings.WorkerCount, BatchesPerEpoch);
        long taken = Math.Min(Count, (long)BatchesPerEpoch * _batchSize);
        var streams = Enumerable.Range(0, workers).Select(w => Stream(order, taken, w, workers)).ToList();
        using var generator = new Generator(Seeds.Mix(_seed, epoch, 1));
        foreach (var batch in _pipeline.Run(streams, (sample, w, h) => Rect(sample, w, h, epoch), (images, labels) => ToBatch(images, labels, generator)))
            yield return batch;
    }

    /// <summary>The samples of batches w, w + workers, … of the epoch's first <paramref name="taken"/> positions.</summary>
    private IEnumerable<EncodedSample> Stream(int[] order, long taken, int w, int workers)
    {
        for (long b = w; b * _batchSize < taken; b += workers)
            for (long p = b * _batchSize; p < Math.Min(taken, (b + 1) * _batchSize); p++)
                yield return new EncodedSample(_listing.Files[order[p]], _listing.Labels[order[p]], p);
    }

    /// <summary>The sample's crop, then its flip (probability 1/2), from a generator seeded by (seed, epoch, position).</summary>
    private (SKRect, bool) Rect(EncodedSample sample, int width, int height, int epoch)
    {
        var rng = Seeds.Rng(_seed, epoch, sample.Position);
        var rect = _augment.Crop
            ? ImageTransforms.RandomResizedCropRect(width, height, rng)
            : ImageTransforms.CenterCropRect(width, height, _size, _size, _cropFraction);
        return (rect, _augment.Flip && rng.NextDouble() < 0.5);
    }

    /// <summary>uint8 RGBA [B,H,W,4] on the CPU → the device → normalised float RGB [B,3,H,W] there → cutout, mixing.</summary>
    private Batch ToBatch(Tensor rgba, long[] labels, Generator generator)
    {
        using var scope = NewDisposeScope();
        return _augmenter.Apply(_normalizer.Apply(rgba.to(_device)), tensor(labels).to(_device), _train ? generator : null, normalized: true);
    }

    public void Dispose() => _normalizer.Dispose();
}
