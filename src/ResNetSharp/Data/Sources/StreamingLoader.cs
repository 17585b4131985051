using System.Threading.Channels;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Decodes and crops images on background threads while the model trains: a producer builds each batch with
/// <see cref="Environment.ProcessorCount"/> parallel workers (decode → random-resized crop for training, resize +
/// centre crop for validation, via SkiaSharp) into a bounded queue of <see cref="Prefetch"/> batches; the consumer
/// copies a batch to the device once, then flips, normalises and applies cutout there. Sample i of an epoch uses a
/// generator seeded by (seed, epoch, i), so batches are identical however threads are scheduled. With a
/// <see cref="Distributed.DistributedSampler"/> it reads only that rank's samples, in the sampler's order.
/// </summary>
internal sealed class StreamingLoader : IDataLoader
{
    /// <summary>Batches decoded ahead of the consumer.</summary>
    public const int Prefetch = 3;

    private readonly ImageFolder.Listing _listing;
    private readonly bool _train;
    private readonly int _size, _batchSize, _seed;
    private readonly float _cropFraction;
    private readonly Device _device;
    private readonly Augmentation _augment;
    private readonly BatchAugmenter _augmenter;
    private readonly Distributed.DistributedSampler? _sampler;

    public StreamingLoader(ImageFolder.Listing listing, Split split, int size, int batchSize, Device device, int seed,
        Augmentation augment, float[] mean, float[] std, float cropFraction = ImageTransforms.CenterCropFraction,
        Distributed.DistributedSampler? sampler = null)
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
        // The crop happens while decoding; flip, normalisation and cutout run batch-wise on the device.
        _augmenter = new BatchAugmenter(_augment with { Crop = false }, allowFlip: true, mean, std);
        _sampler = sampler;
        Count = sampler?.SamplesPerRank(listing.Files.Count) ?? listing.Files.Count;
        BatchesPerEpoch = DataSpec.BatchCount(Count, batchSize, _train);
    }

    public long Count { get; }
    public int BatchesPerEpoch { get; }

    public IEnumerable<Batch> Epoch(int epoch)
    {
        int[] order = [.. Enumerable.Range(0, (int)Count)];
        if (_sampler is not null)
        {
            using var indices = _sampler.Indices(_listing.Files.Count, epoch);
            order = [.. indices.data<long>().Select(i => (int)i)];
        }
        else if (_train) Seeds.Rng(_seed, epoch).Shuffle(order);
        var queue = Channel.CreateBounded<(byte[] Pixels, long[] Labels)>(Prefetch);
        using var cancel = new CancellationTokenSource();
        var producer = Task.Run(() => Produce(order, epoch, queue.Writer, cancel.Token));
        using var generator = new Generator(Seeds.Mix(_seed, epoch, 1));
        try
        {
            while (queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                while (queue.Reader.TryRead(out var batch))
                    yield return ToBatch(batch.Pixels, batch.Labels, generator);
        }
        finally
        {
            cancel.Cancel();
            try { producer.Wait(); }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException) { }
        }
    }

    private void Produce(int[] order, int epoch, ChannelWriter<(byte[], long[])> writer, CancellationToken cancel)
    {
        try
        {
            for (int b = 0; b < BatchesPerEpoch; b++)
            {
                int start = b * _batchSize, count = (int)Math.Min(_batchSize, Count - start);
                int plane = 3 * _size * _size;
                var pixels = new byte[(long)count * plane];
                var labels = new long[count];
                Workers.For(count, i =>
                {
                    int sample = order[start + i];
                    labels[i] = _listing.Labels[sample];
                    Crop(_listing.Files[sample], Seeds.Rng(_seed, epoch, start + i)).CopyTo(pixels, (long)i * plane);
                }, cancel);
                writer.WriteAsync((pixels, labels), cancel).AsTask().GetAwaiter().GetResult();
            }
            writer.Complete();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            writer.Complete(e);
        }
    }

    private byte[] Crop(string file, Random rng)
    {
        using var bitmap = ImageFiles.Decode(file);
        var rect = _augment.Crop
            ? ImageTransforms.RandomResizedCropRect(bitmap.Width, bitmap.Height, rng)
            : ImageTransforms.CenterCropRect(bitmap.Width, bitmap.Height, _size, _size, _cropFraction);
        return ImageTransforms.Render(bitmap, rect, _size, _size, flip: false);
    }

    private Batch ToBatch(byte[] pixels, long[] labels, Generator generator)
    {
        using var scope = NewDisposeScope();
        var images = tensor(pixels, [labels.Length, 3, _size, _size]).to(_device);
        return _augmenter.Apply(images, tensor(labels).to(_device), _train ? generator : null);
    }

    public void Dispose() { }
}
