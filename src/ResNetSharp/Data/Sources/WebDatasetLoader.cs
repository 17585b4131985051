using ResNetSharp.Data.Loading;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Streams WebDataset shards (<see cref="EncodedImageLoader"/>), as WebDataset's own loader does: each epoch the shard
/// order is shuffled from (seed, epoch) for training, shard i goes to worker i mod workers, each worker reads its
/// shards sequentially through a shuffle buffer of <see cref="ShuffleBuffer"/> samples (seeded by (seed, epoch,
/// worker); validation: file order, no buffer) and batches its own stream; training drops each worker's last
/// incomplete batch. Reproducible from (seed, epoch) for a given worker count; each sample appears once per epoch.
/// </summary>
internal sealed class WebDatasetLoader(IReadOnlyList<string> shards, int classCount, Split split, int size, int batchSize, Device device,
    int seed, Augmentation augment, float[] mean, float[] std, float cropFraction, LoaderSettings settings)
    : EncodedImageLoader(shards.Sum(s => (long)WebDatasetShards.Count(s, classCount)), split, size, batchSize, device, seed, augment, mean, std,
        cropFraction, settings)
{
    /// <summary>Samples held by each worker's shuffle buffer in training.</summary>
    public const int ShuffleBuffer = 1000;

    protected override IReadOnlyList<IEnumerable<EncodedSample>> Streams(int epoch)
    {
        string[] order = [.. shards];
        if (Train) Seeds.Rng(Seed, epoch).Shuffle(order);
        int workers = Math.Min(Settings.WorkerCount, order.Length);
        return [.. Enumerable.Range(0, workers).Select(w => Stream(order.Where((_, i) => i % workers == w).ToList(), epoch, w))];
    }

    private IEnumerable<EncodedSample> Stream(IReadOnlyList<string> mine, int epoch, int worker)
    {
        var samples = mine.SelectMany(shard => WebDatasetShards.Read(shard, classCount)).Select((s, i) => WebDatasetShards.ToSample(s, ((long)worker << 40) + i));
        if (!Train)
        {
            foreach (var sample in samples) yield return sample;
            yield break;
        }
        var rng = Seeds.Rng(Seed, epoch, worker, 2);
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
        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer));
        foreach (var sample in buffer) yield return sample;
    }
}
