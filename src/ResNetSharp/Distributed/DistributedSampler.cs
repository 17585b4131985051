using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>
/// Which samples of a split one rank reads, with PyTorch's <c>torch.utils.data.DistributedSampler</c> semantics: a
/// permutation from <c>torch.randperm(n)</c> with a generator seeded by seed + epoch (or 0 … n − 1 unshuffled); without
/// drop_last, padded by repeating its start to a multiple of the world size; with drop_last, cut down to one instead;
/// then every world-size-th index from the rank's. <see cref="Exact"/> is the validation form: no shuffle, no padding,
/// so each sample is read by exactly one rank.
/// </summary>
public sealed record DistributedSampler(int Rank, int WorldSize, int Seed = 0, bool Shuffle = true, bool DropLast = false, bool Pad = true)
{
    /// <summary>The unpadded, unshuffled shard for validation: ranks together read every sample once.</summary>
    public static DistributedSampler Exact(int rank, int worldSize) => new(rank, worldSize, Shuffle: false, Pad: false);

    /// <summary>Samples this rank reads per epoch from a split of <paramref name="count"/>.</summary>
    public long SamplesPerRank(long count)
    {
        if (!Pad) return Math.Max(0, (count - Rank + WorldSize - 1) / WorldSize);
        return DropLast && count % WorldSize != 0
            ? (count - WorldSize + WorldSize - 1) / WorldSize   // ceil((count - world) / world), as PyTorch
            : (count + WorldSize - 1) / WorldSize;
    }

    /// <summary>This rank's sample indices (int64) for <paramref name="epoch"/>.</summary>
    public Tensor Indices(long count, int epoch)
    {
        using var scope = NewDisposeScope();
        Tensor order;
        if (Shuffle)
        {
            using var generator = new TorchSharp.torch.Generator((ulong)(Seed + (long)epoch));
            order = randperm(count, generator: generator);
        }
        else order = arange(count, ScalarType.Int64);
        if (!Pad) return order[TensorIndex.Slice(Rank, null, WorldSize)].MoveToOuterDisposeScope();
        long perRank = SamplesPerRank(count), total = perRank * WorldSize;
        if (total > count)
        {
            long repeats = (total - count + count - 1) / count;
            order = cat([order, order.repeat(repeats)[TensorIndex.Slice(0, total - count)]]);
        }
        return order[TensorIndex.Slice(Rank, total, WorldSize)].contiguous().MoveToOuterDisposeScope();
    }
}
