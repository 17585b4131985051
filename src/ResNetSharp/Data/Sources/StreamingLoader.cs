using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Streams an ImageFolder split (<see cref="EncodedImageLoader"/>): the epoch's order (shuffled from (seed, epoch) for
/// training) is cut into batches, worker w building batches w, w + workers, …; sample i of the epoch is at position i,
/// so batches are identical whatever the worker count and scheduling. With a <see cref="Distributed.DistributedSampler"/>
/// it reads only that rank's samples, in the sampler's order.
/// </summary>
internal sealed class StreamingLoader(ImageFolder.Listing listing, Split split, int size, int batchSize, Device device, int seed,
    Augmentation augment, float[] mean, float[] std, float cropFraction = ImageTransforms.CenterCropFraction, LoaderSettings? settings = null,
    Distributed.DistributedSampler? sampler = null)
    : EncodedImageLoader(sampler?.SamplesPerRank(listing.Files.Count) ?? listing.Files.Count, split, size, batchSize, device, seed, augment, mean, std, cropFraction, settings ?? LoaderSettings.Default)
{
    protected override IReadOnlyList<IEnumerable<EncodedSample>> Streams(int epoch)
    {
        int[] order = [.. Enumerable.Range(0, (int)Count)];
        if (sampler is not null)
        {
            using var indices = sampler.Indices(listing.Files.Count, epoch);
            order = [.. indices.data<long>().Select(i => (int)i)];
        }
        else if (Train) Seeds.Rng(Seed, epoch).Shuffle(order);
        int workers = Math.Min(Settings.WorkerCount, BatchesPerEpoch);
        long taken = Math.Min(Count, (long)BatchesPerEpoch * BatchSize);
        return [.. Enumerable.Range(0, workers).Select(w => Stream(order, taken, w, workers))];
    }

    /// <summary>The samples of batches w, w + workers, … of the epoch's first <paramref name="taken"/> positions.</summary>
    private IEnumerable<EncodedSample> Stream(int[] order, long taken, int w, int workers)
    {
        for (long b = w; b * BatchSize < taken; b += workers)
            for (long p = b * BatchSize; p < Math.Min(taken, (b + 1) * BatchSize); p++)
                yield return new EncodedSample(listing.Files[order[p]], listing.Labels[order[p]], p);
    }
}
