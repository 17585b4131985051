using ResNetSharp.Data;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Tests.Training;

/// <summary>The synthetic shapes, average-pooled to 16x16 so that training tests run in seconds on two cores.</summary>
internal static class TinyData
{
    public static InMemoryDataSource Open(int trainCount, int valCount) =>
        new("synthetic16", SyntheticShapes.Classes, split => SyntheticShapes.Generate(split == Split.Train ? trainCount : valCount, 0, split, size: 16));
}
