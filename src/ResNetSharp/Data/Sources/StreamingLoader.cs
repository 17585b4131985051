using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Streams an ImageFolder split (<see cref="EncodedImageLoader"/>): the epoch's order (shuffled from (seed, epoch) for
/// training) is cut into batches, worker w building batches w, w + workers, …; sample i of the epoch is at position i,
/// so batches are identical whatever the worker count and scheduling.
/// </summary>
internal sealed class StreamingLoader(ImageFolder.Listing listing, Split split, int size, int batchSize, Device device, int seed,
    Augmentation augment, float[] mean, float[] std, float cropFraction = ImageTransforms.CenterCropFraction, LoaderSettings? settings = null)
    : EncodedImageLoader(listing.Files.Count, split, size, batchSize, device, seed, augment, mean, std, cropFraction, settings ?? LoaderSettings.Default)
{
    protected override IReadOnlyList<IEnumerable<EncodedSample>> Streams(int epoch)
    {
        int[] order = [.. Enumerable.Range(0, (int)Count)];
        if (Train) Seeds.Rng(Seed, epoch).Shuffle(order);
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
