using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Streams an ImageFolder split through a <see cref="BatchPipeline"/>: the epoch's order (shuffled from (seed, epoch)
/// for training) is cut into batches, worker w building batches w, w + workers, …; each image is decoded and cropped in
/// one pass (random-resized crop for training, resize + centre crop for validation) into the uint8 batch buffer. The
/// uint8 batch goes to the device once, where flip, float conversion, normalisation and cutout run (channels_last
/// layout). Sample i of an epoch draws its crop from a generator seeded by (seed, epoch, i), so batches are identical
/// whatever the worker count and scheduling.
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
        // The crop happens while decoding; flip, normalisation and cutout run batch-wise on the device.
        _augmenter = new BatchAugmenter(_augment with { Crop = false }, allowFlip: true, mean, std);
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

    private SKRect Rect(EncodedSample sample, int width, int height, int epoch) => _augment.Crop
        ? ImageTransforms.RandomResizedCropRect(width, height, Seeds.Rng(_seed, epoch, sample.Position))
        : ImageTransforms.CenterCropRect(width, height, _size, _size, _cropFraction);

    private Batch ToBatch(Tensor images, long[] labels, Generator generator) =>
        _augmenter.Apply(images.to(_device), tensor(labels).to(_device), _train ? generator : null);

    public void Dispose() { }
}
