namespace ResNetSharp.Tests;

/// <summary>
/// Tests that build networks on the meta device switch torch's default device for a moment; they run alone, so no
/// other test builds its model on the meta device meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetaDeviceCollection
{
    public const string Name = "meta device";
}
