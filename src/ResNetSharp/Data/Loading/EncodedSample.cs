namespace ResNetSharp.Data.Loading;

/// <summary>
/// One labelled encoded image for <see cref="BatchPipeline"/>: a file (<see cref="Bytes"/> null: read
/// <see cref="Name"/> from disk) or <see cref="Length"/> bytes in memory (a tar member, <see cref="Name"/> naming shard
/// and member; rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, returned there once decoded).
/// <see cref="Position"/> seeds its augmentation.
/// </summary>
public readonly record struct EncodedSample(string Name, long Label, long Position, byte[]? Bytes = null, int Length = 0);
