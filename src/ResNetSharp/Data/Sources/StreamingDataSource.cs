using ResNetSharp.Data.Loading;
using TorchSharp;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// An ImageFolder dataset too large for memory: images are decoded and cropped per batch by <see cref="StreamingLoader"/>
/// (validation: shorter side resized to size / <paramref name="cropFraction"/>, centre crop).
/// </summary>
internal sealed class StreamingDataSource(
    IReadOnlyList<string> classes, Func<Split, ImageFolder.Listing> listing, int size, float[] mean, float[] std, float cropFraction,
    LoaderSettings settings) : DataSource
{
    public override string Name => "folder";
    public override IReadOnlyList<string> Classes => classes;
    public override (int Channels, int Height, int Width) InputSize => (3, size, size);
    public override float[] Mean => mean;
    public override float[] Std => std;
    public override bool AllowFlip => true;

    public override IDataLoader CreateLoader(Split split, int batchSize, torch.Device device, int seed, Augmentation augment,
        Distributed.DistributedSampler? sampler = null) =>
        new StreamingLoader(listing(split), split, size, batchSize, device, seed, augment, mean, std, cropFraction, settings, sampler);
}
