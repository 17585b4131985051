using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

/// <summary>The synthetic shapes, average-pooled to 16x16 so that training tests run in seconds on two cores.</summary>
internal static class TinyData
{
    public static InMemoryDataSource Open(int trainCount, int valCount) =>
        new("synthetic16", SyntheticShapes.Classes, split => Pooled(SyntheticShapes.Generate(split == Split.Train ? trainCount : valCount, 0, split)));

    private static LabelledImages Pooled(LabelledImages full)
    {
        using (full)
        using (var scope = NewDisposeScope())
        {
            var small = nn.functional.avg_pool2d(full.Images.to(float32), 2).round().to(uint8);
            return new LabelledImages(small, full.Labels.clone());
        }
    }
}
