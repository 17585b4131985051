using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>
/// Raw little-endian tensor bytes to and from TorchSharp tensors, for the element types the weight files carry
/// (fp32, fp16, bf16, int64). Shared by the safetensors and PyTorch readers and writers.
/// </summary>
internal static class TensorBytes
{
    /// <summary>Bytes per element of a supported type; throws naming the type otherwise.</summary>
    public static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int64 => 8,
        _ => throw new ResNetSharpException($"tensors of type {type} cannot be stored: convert them to float32, float16, bfloat16 or int64 first."),
    };

    /// <summary>A new CPU tensor of the given type and shape whose contents are <paramref name="data"/> (little-endian).</summary>
    public static Tensor FromBytes(Span<byte> data, ScalarType type, long[] shape)
    {
        EnsureLittleEndianHost();
        var tensor = empty(shape, type, CPU);
        if (data.Length > 0) tensor.bytes = data;
        return tensor;
    }

    /// <summary>A contiguous CPU copy of <paramref name="tensor"/>, detached from autograd (ready to write).</summary>
    public static Tensor ContiguousCpu(Tensor tensor)
    {
        ElementSize(tensor.dtype);
        return tensor.detach().to(CPU).contiguous().clone();
    }

    /// <summary>Writes a contiguous CPU tensor's bytes (little-endian) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor contiguousCpu)
    {
        EnsureLittleEndianHost();
        if (contiguousCpu.numel() > 0) stream.Write(contiguousCpu.bytes);
    }

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new ResNetSharpException("weight files are little-endian and this machine is big-endian: convert the file on a little-endian machine.");
    }
}
