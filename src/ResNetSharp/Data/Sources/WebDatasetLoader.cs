using System.Runtime.InteropServices;
using ResNetSharp.Data.Loading;
using ResNetSharp.Distributed;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Streams WebDataset shards (<see cref="EncodedImageLoader"/>) with exact batch counts, also across ranks. At open it
/// counts each shard's samples (headers only). Each epoch the shards in one order (shuffled from (seed, epoch) for
/// training, file order for validation) make the epoch's sequence of N samples; a sample's position (the seed of its
/// crop and flip) is its index there. With a <see cref="DistributedSampler"/> rank r takes its own contiguous range of
/// the sequence, <see cref="DistributedSampler.SamplesPerRank"/> long, as PyTorch's sampler counts: padded by wrapping
/// around to the sequence's start (or cut with drop_last) in training, split exactly in validation. Within the rank's
/// range worker w takes a contiguous run of whole batches (the last worker also the one incomplete batch, which training
/// drops unless it is the only one), reads it sequentially (it opens the shard where its run starts, passes over the
/// members before unread, and goes on to the next shards) and, in training, through a shuffle buffer of
/// <see cref="ShuffleBuffer"/> samples seeded by (seed, epoch, worker, rank).
/// Why contiguous ranges rather than WebDataset's whole shards per worker and rank: reads stay sequential and
/// shuffled per epoch, each sample is read once per epoch over workers and ranks, and every rank yields exactly
/// <see cref="EncodedImageLoader.BatchesPerEpoch"/> batches whatever the shard sizes, so ranks stay in lockstep and
/// schedules and progress see the true count. Reproducible from (seed, epoch) for a given worker count.
/// </summary>
internal sealed class WebDatasetLoader : EncodedImageLoader
{
    /// <summary>Samples held by each worker's shuffle buffer in training.</summary>
    public const int ShuffleBuffer = 1000;

    private readonly IReadOnlyList<string> _shards;
    private readonly int[] _counts;
    private readonly long _total;
    private readonly int _classCount;
    private readonly DistributedSampler? _sampler;

    public WebDatasetLoader(IReadOnlyList<string> shards, int classCount, Split split, int size, int batchSize, Device device, int seed,
        Augmentation augment, float[] mean, float[] std, float cropFraction, LoaderSettings settings, DistributedSampler? sampler = null)
        : this(shards, [.. shards.Select(s => WebDatasetShards.Count(s, classCount))], classCount, split, size, batchSize, device, seed, augment,
            mean, std, cropFraction, settings, sampler)
    {
    }

    private WebDatasetLoader(IReadOnlyList<string> shards, int[] counts, int classCount, Split split, int size, int batchSize, Device device,
        int seed, Augmentation augment, float[] mean, float[] std, float cropFraction, LoaderSettings settings, DistributedSampler? sampler)
        : base(sampler?.SamplesPerRank(counts.Sum(c => (long)c)) ?? counts.Sum(c => (long)c), split, size, batchSize, device, seed, augment,
            mean, std, cropFraction, settings)
    {
        _shards = shards;
        _counts = counts;
        _total = counts.Sum(c => (long)c);
        _classCount = classCount;
        _sampler = sampler;
    }

    protected override IReadOnlyList<IEnumerable<EncodedSample>> Streams(int epoch)
    {
        int[] order = [.. Enumerable.Range(0, _shards.Count)];
        if (Train && _sampler?.Shuffle != false) Seeds.Rng(Seed, epoch).Shuffle(order);
        long start = _sampler is null ? 0 : Enumerable.Range(0, _sampler.Rank).Sum(r => (_sampler with { Rank = r }).SamplesPerRank(_total));
        long taken = Math.Min(Count, (long)BatchesPerEpoch * BatchSize);
        int batches = BatchesPerEpoch, workers = Math.Min(Settings.WorkerCount, batches);
        return [.. Enumerable.Range(0, workers).Select(w =>
        {
            long from = (long)batches * w / workers * BatchSize, to = Math.Min(taken, (long)batches * (w + 1) / workers * BatchSize);
            var samples = Sequence(order, start + from, start + to);
            return Train ? Shuffled(samples, Seeds.Rng(Seed, epoch, w, _sampler?.Rank ?? 0, 2)) : samples;
        })];
    }

    /// <summary>Positions [<paramref name="from"/>, <paramref name="to"/>) of the epoch's sequence (past N: wrapped to its start), read sequentially.</summary>
    private IEnumerable<EncodedSample> Sequence(int[] order, long from, long to)
    {
        for (long p = from; p < to;)
        {
            long index = p % _total, shardStart = 0;
            int k = 0;
            while (shardStart + _counts[order[k]] <= index) shardStart += _counts[order[k++]];
            string shard = _shards[order[k]];
            int skip = (int)(index - shardStart), wanted = (int)Math.Min(_counts[order[k]] - skip, to - p), read = 0;
            foreach (var sample in WebDatasetShards.Read(shard, _classCount, skip: skip).Take(wanted))
            {
                read++;
                yield return WebDatasetShards.ToSample(sample, p++);
            }
            if (read < wanted)
                throw new ResNetSharpException($"shard '{shard}' has fewer samples than the {_counts[order[k]]} it had when the data was opened; do not change shards during a run.");
        }
    }

    /// <summary>WebDataset's shuffle buffer: each new sample takes the place of a random one held, which is emitted.</summary>
    private static IEnumerable<EncodedSample> Shuffled(IEnumerable<EncodedSample> samples, Random rng)
    {
        var buffer = new List<EncodedSample>(ShuffleBuffer);
        foreach (var sample in samples)
        {
            if (buffer.Count < ShuffleBuffer)
            {
                buffer.Add(sample);
                continue;
            }
            int k = rng.Next(buffer.Count);
            yield return buffer[k];
            buffer[k] = sample;
        }
        rng.Shuffle(CollectionsMarshal.AsSpan(buffer));
        foreach (var sample in buffer) yield return sample;
    }
}
