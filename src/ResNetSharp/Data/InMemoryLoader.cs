using ResNetSharp.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data;

/// <summary>
/// Loader over a split held as one uint8 tensor, copied to the compute device once. Each batch is gathered by a
/// shuffled index and augmented and normalised there with tensor ops: no per-sample CPU work, so a GPU never waits
/// for data. Random numbers come from a CPU generator seeded by (seed, epoch), so batches are the same on any device.
/// With a <see cref="Distributed.DistributedSampler"/> it reads only that rank's samples, in the sampler's order.
/// </summary>
internal sealed class InMemoryLoader : IDataLoader
{
    private readonly Tensor _images, _labels;
    private readonly bool _ownsTensors;
    private readonly bool _train;
    private readonly int _batchSize, _seed;
    private readonly Device _device;
    private readonly BatchAugmenter _augmenter;
    private readonly Distributed.DistributedSampler? _sampler;

    public InMemoryLoader(LabelledImages data, Split split, int batchSize, Device device, int seed,
        Augmentation augment, bool allowFlip, float[] mean, float[] std, Distributed.DistributedSampler? sampler = null)
    {
        DataSpec.CheckBatchSize(batchSize);
        _images = data.Images.to(device);
        _labels = data.Labels.to(device);
        _ownsTensors = !ReferenceEquals(_images, data.Images);
        _train = split == Split.Train;
        _batchSize = batchSize;
        _device = device;
        _seed = seed;
        _augmenter = new BatchAugmenter(_train ? augment : Augmentation.None, allowFlip, mean, std);
        _sampler = sampler;
        // Every rank loads the whole split, so only rank 0 reports its bad files: the trainer sums the counts over ranks.
        BadImages = sampler is { Rank: > 0 } ? 0 : data.BadImages;
        Count = sampler?.SamplesPerRank(data.Count) ?? data.Count;
        BatchesPerEpoch = DataSpec.BatchCount(Count, batchSize, _train);
    }

    public long Count { get; }
    public int BatchesPerEpoch { get; }
    public long BadImages { get; }

    public IEnumerable<Batch> Epoch(int epoch)
    {
        using var generator = new Generator(Seeds.Mix(_seed, epoch));
        using var order = _sampler is not null ? _sampler.Indices(_images.shape[0], epoch)
            : _train ? randperm(Count, generator: generator) : arange(Count);
        for (int i = 0; i < BatchesPerEpoch; i++)
            yield return MakeBatch(order, i, generator);
    }

    private Batch MakeBatch(Tensor order, int index, Generator generator)
    {
        using var scope = NewDisposeScope();
        long start = (long)index * _batchSize, end = Math.Min(start + _batchSize, Count);
        var idx = order.narrow(0, start, end - start).to(_device);
        return _augmenter.Apply(_images.index_select(0, idx), _labels.index_select(0, idx), _train ? generator : null);
    }

    public void Dispose()
    {
        if (!_ownsTensors) return;
        _images.Dispose();
        _labels.Dispose();
    }
}
