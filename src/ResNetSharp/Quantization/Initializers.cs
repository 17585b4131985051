using System.Runtime.InteropServices;
using Google.Protobuf;
using ResNetSharp.Interop.Onnx.Proto;

namespace ResNetSharp.Quantization;

/// <summary>Reads and writes the constant tensors (initializers) of an ONNX graph as little-endian arrays.</summary>
internal static class Initializers
{
    private const int Float = (int)TensorProto.Types.DataType.Float, Int8 = (int)TensorProto.Types.DataType.Int8,
        UInt8 = (int)TensorProto.Types.DataType.Uint8,
        Int32 = (int)TensorProto.Types.DataType.Int32;

    /// <summary>The graph's initializers by name.</summary>
    public static Dictionary<string, TensorProto> ByName(GraphProto graph) => graph.Initializer.ToDictionary(i => i.Name);

    /// <summary>The float32 values of <paramref name="tensor"/> (raw_data or float_data).</summary>
    public static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != Float)
            throw new ResNetSharpException($"the ONNX initializer '{tensor.Name}' is of element type {tensor.DataType}, not float32: only float32 models can be quantized.");
        return tensor.RawData.IsEmpty ? [.. tensor.FloatData] : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
    }

    /// <summary>A float32 initializer.</summary>
    public static TensorProto Of(string name, float[] values, params long[] dims) =>
        Make(name, Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    /// <summary>An int8 initializer.</summary>
    public static TensorProto Of(string name, sbyte[] values, params long[] dims) =>
        Make(name, Int8, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    /// <summary>A uint8 initializer.</summary>
    public static TensorProto Of(string name, byte[] values, params long[] dims) => Make(name, UInt8, values, dims);

    /// <summary>An int32 initializer.</summary>
    public static TensorProto Of(string name, int[] values, params long[] dims) =>
        Make(name, Int32, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    private static TensorProto Make(string name, int type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this host is big-endian.");
        var proto = new TensorProto { Name = name, DataType = type, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(dims);
        return proto;
    }
}
