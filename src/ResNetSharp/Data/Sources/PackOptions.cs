using ResNetSharp.Settings;

namespace ResNetSharp.Data.Sources;

/// <summary>Where and how <see cref="WebDatasetPack"/> writes shards (the flags of <c>resnet data pack</c>).</summary>
public sealed record PackOptions
{
    /// <summary>The directory of the shards and classes.txt (then read as <c>wds:DIR</c>).</summary>
    [Setting("out", "Where to write train-NNNNNN.tar, val-NNNNNN.tar and classes.txt (read as wds:DIR).")]
    public string? Out { get; init; }

    /// <summary>The largest shard, as <see cref="WebDatasetPack.ParseSize"/> reads it (e.g. 256MB).</summary>
    [Setting("shard-size", "Largest shard (KB, MB, GB: powers of 1024).")]
    public string ShardSize { get; init; } = "256MB";

    /// <summary>Writes the shards of <paramref name="folderSpec"/> (<c>folder:DIR</c>); returns their paths.</summary>
    public IReadOnlyList<string> Pack(string folderSpec) => WebDatasetPack.Pack(folderSpec,
        Out ?? throw new ResNetSharpException("PackOptions.Out is required: the directory to write the shards to."), WebDatasetPack.ParseSize(ShardSize));
}
