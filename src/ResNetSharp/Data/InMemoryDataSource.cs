using TorchSharp;

namespace ResNetSharp.Data;

/// <summary>
/// A dataset whose splits fit in memory as uint8 tensors (synthetic, CIFAR, folders of small images). Each split is
/// loaded on first use and kept. When no normalisation is given, it is computed from the training split.
/// </summary>
public sealed class InMemoryDataSource(
    string name, IReadOnlyList<string> classes, Func<Split, LabelledImages> load,
    bool allowFlip = true, float[]? mean = null, float[]? std = null) : DataSource
{
    private readonly Dictionary<Split, LabelledImages> _splits = [];
    private float[]? _mean = mean, _std = std;

    /// <inheritdoc/>
    public override string Name => name;
    /// <inheritdoc/>
    public override IReadOnlyList<string> Classes => classes;
    /// <inheritdoc/>
    public override bool AllowFlip => allowFlip;

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) InputSize
    {
        get
        {
            var s = Get(Split.Train).Images.shape;
            return ((int)s[1], (int)s[2], (int)s[3]);
        }
    }

    /// <inheritdoc/>
    public override float[] Mean => Stats().Mean;
    /// <inheritdoc/>
    public override float[] Std => Stats().Std;

    /// <summary>The images and labels of one split (loaded on first use; owned by this source).</summary>
    public LabelledImages Get(Split split)
    {
        lock (_splits)
        {
            if (!_splits.TryGetValue(split, out var data))
                _splits[split] = data = load(split);
            return data;
        }
    }

    /// <inheritdoc/>
    public override IDataLoader CreateLoader(Split split, int batchSize, torch.Device device, int seed, Augmentation augment,
        Distributed.DistributedSampler? sampler = null) =>
        new InMemoryLoader(Get(split), split, batchSize, device, seed, augment, allowFlip, Mean, Std, sampler);

    private (float[] Mean, float[] Std) Stats()
    {
        if (_mean is null || _std is null)
            (_mean, _std) = Get(Split.Train).ChannelStats();
        return (_mean, _std);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        foreach (var data in _splits.Values) data.Dispose();
        _splits.Clear();
        base.Dispose();
    }
}
