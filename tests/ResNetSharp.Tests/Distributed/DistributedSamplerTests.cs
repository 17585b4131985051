using System.Runtime.CompilerServices;
using System.Text.Json;
using ResNetSharp.Distributed;

namespace ResNetSharp.Tests.Distributed;

public class DistributedSamplerTests
{
    private static string FixturePath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", "distributed_sampler.json");

    public static TheoryData<int> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    // The per-rank index lists equal PyTorch 1.13's DistributedSampler (Fixtures/make_sampler_fixture.py).
    [Theory]
    [MemberData(nameof(Cases))]
    public void Indices_equal_pytorch(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath()));
        var c = doc.RootElement.GetProperty("cases")[index];
        int size = c.GetProperty("size").GetInt32(), world = c.GetProperty("world").GetInt32();
        int seed = c.GetProperty("seed").GetInt32(), epoch = c.GetProperty("epoch").GetInt32();
        bool dropLast = c.GetProperty("drop_last").GetBoolean();
        var expected = c.GetProperty("ranks").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        for (int rank = 0; rank < world; rank++)
        {
            var sampler = new DistributedSampler(rank, world, seed, Shuffle: true, DropLast: dropLast);
            using var indices = sampler.Indices(size, epoch);
            Assert.Equal(expected[rank], indices.data<long>().ToArray());
            Assert.Equal(expected[rank].Length, sampler.SamplesPerRank(size));
        }
    }

    // The validation shard: every sample read by exactly one rank, none padded in.
    [Theory]
    [InlineData(10, 3)]
    [InlineData(2, 3)]
    [InlineData(64, 2)]
    public void Exact_shards_read_every_sample_once(int size, int world)
    {
        var all = new List<long>();
        for (int rank = 0; rank < world; rank++)
        {
            var sampler = DistributedSampler.Exact(rank, world);
            using var indices = sampler.Indices(size, epoch: 3);
            var list = indices.data<long>().ToArray();
            Assert.Equal(sampler.SamplesPerRank(size), list.Length);
            Assert.Equal(Enumerable.Range(0, size).Where(i => i % world == rank).Select(i => (long)i), list);
            all.AddRange(list);
        }
        Assert.Equal(Enumerable.Range(0, size).Select(i => (long)i), all.Order());
    }
}
