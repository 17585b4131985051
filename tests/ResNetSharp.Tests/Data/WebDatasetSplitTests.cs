using System.Formats.Tar;
using ResNetSharp.Data;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Sources;
using ResNetSharp.Distributed;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

/// <summary>
/// wds:DIR split across workers and ranks: exact batch counts, each sample once per epoch (padding as PyTorch's
/// DistributedSampler), reproducible from (seed, epoch). Sample i of the shards (in file order) has class index i, so a
/// batch's labels name its samples.
/// </summary>
public class WebDatasetSplitTests
{
    /// <summary>Writes train-*.tar and val-*.tar shards of the given sizes, samples numbered 0, 1, … over the shards.</summary>
    private static string Shards(TempDir dir, params int[] sizes)
    {
        string image = dir.Combine("image.png"), root = dir.Combine($"wds-{string.Join('-', sizes)}");
        TestImages.Write(image, 12, 10, TestImages.Gradient);
        var bytes = File.ReadAllBytes(image);
        Directory.CreateDirectory(root);
        File.WriteAllLines(Path.Combine(root, WebDataset.ClassesFile), Enumerable.Range(0, sizes.Sum()).Select(i => $"c{i}"));
        foreach (var split in new[] { "train", "val" })
            for (int s = 0, i = 0; s < sizes.Length; s++)
            {
                using var stream = File.Create(Path.Combine(root, $"{split}-{s:D6}.tar"));
                using var tar = new TarWriter(stream, TarEntryFormat.Ustar);
                for (int end = i + sizes[s]; i < end; i++)
                {
                    tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"s{i:D4}.png") { DataStream = new MemoryStream(bytes) });
                    tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"s{i:D4}.cls") { DataStream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes($"{i}")) });
                }
            }
        return root;
    }

    /// <summary>The labels (= sample numbers) of each batch of an epoch.</summary>
    private static List<long[]> Batches(IDataLoader loader, int epoch) =>
        [.. loader.Epoch(epoch).Select(b => { using (b) return b.Labels.data<long>().ToArray(); })];

    private static DataSource Open(string root, int workers) =>
        DataSpec.Open($"wds:{root}", imageSize: 8, loader: new LoaderSettings { Workers = workers });

    [Theory]
    [InlineData(new[] { 5, 3, 7, 1 })]
    [InlineData(new[] { 4, 0, 4, 4 })]
    [InlineData(new[] { 2 })]
    public void An_epoch_yields_BatchesPerEpoch_batches_each_sample_once(int[] sizes)
    {
        using var dir = new TempDir();
        string root = Shards(dir, sizes);
        int n = sizes.Sum();
        foreach (int workers in new[] { 1, 2, 3 })
        {
            using var source = Open(root, workers);
            foreach (int batch in new[] { 1, 3, 4 })
            {
                using (var train = source.CreateLoader(Split.Train, batch, CPU, 3, Augmentation.None))
                {
                    // Training drops the one incomplete batch unless it is the only one.
                    int expected = n >= batch ? n / batch : 1;
                    Assert.Equal(expected, train.BatchesPerEpoch);
                    var batches = Batches(train, 1);
                    Assert.Equal(expected, batches.Count);
                    Assert.All(batches, b => Assert.Equal(Math.Min(batch, n), b.Length));
                    var seen = batches.SelectMany(b => b).ToList();
                    Assert.Equal(seen.Count, seen.Distinct().Count());
                    Assert.All(seen, s => Assert.InRange(s, 0, n - 1));
                }
                using (var val = source.CreateLoader(Split.Val, batch, CPU, 3, Augmentation.None))
                {
                    // Validation keeps it: every sample once, all batches full but the last.
                    int expected = (n + batch - 1) / batch;
                    Assert.Equal(expected, val.BatchesPerEpoch);
                    var batches = Batches(val, 0);
                    Assert.Equal(expected, batches.Count);
                    Assert.All(batches[..^1], b => Assert.Equal(batch, b.Length));
                    Assert.Equal(n - (expected - 1) * batch, batches[^1].Length);
                    Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), batches.SelectMany(b => b).Order());
                }
            }
        }
    }

    // 17 samples in shards of 5, 3, 6 and 3: per rank ceil(17 / world), or ceil((17 - world) / world) with drop_last.
    [Theory]
    [InlineData(2, false, 9)]
    [InlineData(3, false, 6)]
    [InlineData(4, false, 5)]
    [InlineData(2, true, 8)]
    [InlineData(3, true, 5)]
    [InlineData(4, true, 4)]
    public void Ranks_take_pytorchs_counts_and_together_read_the_split_once_padded_from_its_start(int world, bool dropLast, int perRank)
    {
        using var dir = new TempDir();
        int[] sizes = [5, 3, 6, 3];
        string root = Shards(dir, sizes);
        using var source = Open(root, workers: 2);
        var all = new List<long>();
        for (int rank = 0; rank < world; rank++)
        {
            var sampler = new DistributedSampler(rank, world, 4, DropLast: dropLast);
            Assert.Equal(perRank, sampler.SamplesPerRank(17));
            using var loader = source.CreateLoader(Split.Train, 1, CPU, 4, Augmentation.None, sampler);
            Assert.Equal(perRank, loader.Count);
            var batches = Batches(loader, 2);
            Assert.Equal(perRank, batches.Count);
            all.AddRange(batches.SelectMany(b => b));
            // Larger batches: the same batch count on every rank, the one it announces.
            using var pairs = source.CreateLoader(Split.Train, 2, CPU, 4, Augmentation.None, sampler);
            Assert.Equal(perRank / 2, pairs.BatchesPerEpoch);
            Assert.Equal(perRank / 2, Batches(pairs, 2).Count);
        }
        Assert.Equal(world * perRank, all.Count);
        if (dropLast)
        {
            Assert.Equal(all.Count, all.Distinct().Count());
            return;
        }
        // Every sample, plus the first world·perRank − 17 samples of the epoch's sequence again: the start of one shard.
        Assert.Equal(Enumerable.Range(0, 17).Select(i => (long)i), all.Distinct().Order());
        var repeated = all.GroupBy(s => s).Where(g => g.Count() == 2).Select(g => g.Key).Order().ToList();
        Assert.Equal(world * perRank - 17, repeated.Count);
        Assert.DoesNotContain(all.GroupBy(s => s), g => g.Count() > 2);
        long[] starts = [0, 5, 8, 14];
        Assert.Contains(starts, s => repeated.SequenceEqual(Enumerable.Range((int)s, repeated.Count).Select(i => (long)i)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validation_ranks_split_the_file_order_exactly_into_contiguous_ranges(int world)
    {
        using var dir = new TempDir();
        using var source = Open(Shards(dir, 5, 3, 6, 3), workers: 2);
        long start = 0;
        for (int rank = 0; rank < world; rank++)
        {
            long count = (17 - rank + world - 1) / world;   // ceil((17 - rank) / world): the first 17 mod world ranks read one more
            using var loader = source.CreateLoader(Split.Val, 2, CPU, 0, Augmentation.None, DistributedSampler.Exact(rank, world));
            Assert.Equal(count, loader.Count);
            var batches = Batches(loader, 0);
            Assert.Equal((count + 1) / 2, batches.Count);
            Assert.Equal(Enumerable.Range((int)start, (int)count).Select(i => (long)i), batches.SelectMany(b => b).Order());
            start += count;
        }
        Assert.Equal(17, start);
    }

    [Fact]
    public void An_epoch_is_reproducible_from_seed_and_epoch_and_epochs_differ()
    {
        using var dir = new TempDir();
        using var source = Open(Shards(dir, 5, 3, 6, 3, 7), workers: 2);
        (List<long[]> Labels, Tensor Images) Run(int epoch, DistributedSampler? sampler)
        {
            using var loader = source.CreateLoader(Split.Train, 2, CPU, 8, Augmentation.Standard, sampler);
            var labels = new List<long[]>();
            var images = new List<Tensor>();
            foreach (var b in loader.Epoch(epoch))
            {
                labels.Add(b.Labels.data<long>().ToArray());
                images.Add(b.Images.detach().clone());
                b.Dispose();
            }
            return (labels, cat(images.ToArray()));
        }
        foreach (var sampler in new[] { null, new DistributedSampler(1, 2, 8) })
        {
            using var scope = NewDisposeScope();
            var first = Run(3, sampler);
            var again = Run(3, sampler);
            Assert.Equal(first.Labels, again.Labels);
            Assert.Equal(first.Images.shape, again.Images.shape);
            Assert.True(first.Images.eq(again.Images).all().item<bool>());   // the same crops and flips too
            Assert.NotEqual(first.Labels, Run(4, sampler).Labels);
        }
    }

    [Fact]
    public void Reading_from_a_sample_on_skips_the_members_before_it_unread()
    {
        using var dir = new TempDir();
        string shard = dir.Combine("train-000000.tar");
        using (var stream = File.Create(shard))
        using (var tar = new TarWriter(stream, TarEntryFormat.Ustar))
            foreach (var (name, data) in new[] { ("a.png", "x"), ("a.cls", "not a class"), ("b.png", "yy"), ("b.cls", "1"), ("c.png", "zzz"), ("c.cls", "0") })
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(data)) });
        // Sample a's bad .cls is never read when reading from sample 1 on.
        var samples = WebDatasetShards.Read(shard, 2, skip: 1).ToList();
        Assert.Equal(new[] { ($"{shard}:b.png", 1L, 2), ($"{shard}:c.png", 0L, 3) }, samples.Select(s => (s.Name, s.Label, s.Length)));
        Assert.Equal("yy", System.Text.Encoding.ASCII.GetString(samples[0].Bytes, 0, samples[0].Length));
        Assert.Contains("'not a class'", Assert.Throws<ResNetSharpException>(() => WebDatasetShards.Read(shard, 2).ToList()).Message);
    }
}
