using ResNetSharp.Data;
using ResNetSharp.Distributed;
using ResNetSharp.Tests.Data;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Distributed;

/// <summary>The in-memory (also GPU-resident) and streaming loaders read exactly their rank's share.</summary>
public class ShardedLoaderTests
{
    /// <summary>Images of distinct noise in every channel, small (in memory) or large (streamed from disk).</summary>
    private static DataSource Folder(TempDir dir, int side)
    {
        var rng = new Random(side);
        foreach (var split in new[] { "train", "val" })
            for (int i = 0; i < 11; i++)
            {
                var noise = Enumerable.Range(0, side * side).Select(_ => (byte)rng.Next(256)).ToArray();
                TestImages.Write(dir.Combine(split, i % 2 == 0 ? "a" : "b", $"{i:D2}.png"), side, side,
                    (x, y) => new SkiaSharp.SKColor(noise[y * side + x], (byte)(255 - noise[y * side + x]), (byte)(noise[y * side + x] * 3)));
            }
        return DataSpec.Open($"folder:{dir.Path}", imageSize: side > 64 ? 16 : null);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static Tensor All(IDataLoader loader, int epoch) => cat(loader.Epoch(epoch).Select(b => b.Images).ToArray());

    [Theory]
    [InlineData(8)]    // in memory
    [InlineData(72)]   // streaming
    public void Rank_shards_are_the_world_of_one_order_interleaved(int side)
    {
        using var dir = new TempDir();
        using var source = Folder(dir, side);
        using var scope = NewDisposeScope();

        // Validation: rank r reads samples r, r + 2, …, unpadded.
        using var val = source.CreateLoader(Split.Val, 4, CPU, 0, Augmentation.None);
        var whole = All(val, 0);
        for (int rank = 0; rank < 2; rank++)
        {
            using var shard = source.CreateLoader(Split.Val, 4, CPU, 0, Augmentation.None, DistributedSampler.Exact(rank, 2));
            Assert.Equal(rank == 0 ? 6 : 5, shard.Count);
            Assert.True(Same(All(shard, 0), whole[TensorIndex.Slice(rank, null, 2)]));
        }

        // Training: batch k of rank r is every other image of batch k of a world of one with twice the batch.
        using var one = source.CreateLoader(Split.Train, 4, CPU, 9, Augmentation.None, new DistributedSampler(0, 1, 9));
        var single = one.Epoch(2).Select(b => b.Images).ToList();
        for (int rank = 0; rank < 2; rank++)
        {
            using var shard = source.CreateLoader(Split.Train, 2, CPU, 9, Augmentation.None, new DistributedSampler(rank, 2, 9));
            Assert.Equal(6, shard.Count);   // 11 padded to 12
            var batches = shard.Epoch(2).Select(b => b.Images).ToList();
            Assert.Equal(3, batches.Count);
            for (int k = 0; k < 2; k++)
                Assert.True(Same(batches[k], single[k][TensorIndex.Slice(rank, null, 2)]));
        }
    }
}
