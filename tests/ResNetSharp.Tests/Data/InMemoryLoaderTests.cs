using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class InMemoryLoaderTests
{
    private static InMemoryDataSource Source() => SyntheticShapes.Open(trainCount: 70, valCount: 25);

    [Fact]
    public void Train_epochs_are_shuffled_deterministically_and_drop_the_incomplete_batch()
    {
        using var source = Source();
        using var loader = source.CreateLoader(Split.Train, 16, CPU, seed: 5, Augmentation.Standard);
        Assert.Equal(70, loader.Count);
        Assert.Equal(4, loader.BatchesPerEpoch);
        var first = Labels(loader, 0);
        Assert.Equal(64, first.Length);
        Assert.Equal(first, Labels(loader, 0));
        Assert.NotEqual(first, Labels(loader, 1));
        using var other = source.CreateLoader(Split.Train, 16, CPU, seed: 6, Augmentation.Standard);
        Assert.NotEqual(first, Labels(other, 0));
        foreach (var batch in loader.Epoch(0))
            using (batch)
            {
                Assert.Equal(new long[] { 16, 3, 32, 32 }, batch.Images.shape);
                Assert.Equal(ScalarType.Float32, batch.Images.dtype);
                Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
            }
    }

    [Fact]
    public void Val_batches_keep_file_order_and_every_sample_and_are_exactly_normalised()
    {
        using var source = Source();
        using var loader = source.CreateLoader(Split.Val, 10, CPU, seed: 0, Augmentation.Parse("crop,flip,cutout"));
        Assert.Equal(3, loader.BatchesPerEpoch);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)(i % 10)), Labels(loader, 0));
        using var scope = NewDisposeScope();
        var expected = source.Get(Split.Val).Images[..10].to(float32).div(255)
            .sub(tensor(source.Mean).view(-1, 1, 1)).div(tensor(source.Std).view(-1, 1, 1));
        using var batch = loader.Epoch(0).First();
        Assert.True(batch.Images.allclose(expected, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Stats_are_computed_from_the_training_split()
    {
        using var source = Source();
        using var scope = NewDisposeScope();
        var x = source.Get(Split.Train).Images.to(float64).div(255);
        Assert.Equal(x[.., 1].mean().item<double>(), source.Mean[1], 4);
        Assert.Equal(x[.., 2].std().item<double>(), source.Std[2], 4);
        Assert.Equal((3, 32, 32), source.InputSize);
    }

    private static long[] Labels(IDataLoader loader, int epoch) =>
        [.. loader.Epoch(epoch).SelectMany(b => { using (b) return b.Labels.data<long>().ToArray(); })];
}
