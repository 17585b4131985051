using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Torch;

/// <summary>
/// Writes the protocol-2 pickle torch.save produces for a state_dict: an <c>OrderedDict</c> whose values are
/// <c>_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())</c> calls, with globals
/// memoised (BINPUT) and reused (BINGET) as Python's pickler does.
/// </summary>
internal sealed class PickleWriter
{
    private static readonly Dictionary<ScalarType, string> StorageNames = new()
    {
        [ScalarType.Float32] = "FloatStorage", [ScalarType.Float16] = "HalfStorage",
        [ScalarType.BFloat16] = "BFloat16Storage", [ScalarType.Int64] = "LongStorage",
    };

    private readonly MemoryStream _out = new();
    private readonly Dictionary<string, byte> _memo = [];

    /// <summary>The pickle of a state_dict whose i-th entry is a contiguous tensor stored in record <c>data/i</c>.</summary>
    public static byte[] StateDict(IReadOnlyList<(string Name, ScalarType Type, long[] Shape)> entries)
    {
        var w = new PickleWriter();
        w.Op(0x80, 2);                                      // PROTO 2
        w.Global("collections", "OrderedDict");
        w.Op(0x29); w.Op(0x52);                             // EMPTY_TUPLE, REDUCE
        if (entries.Count > 0) w.Op(0x28);                  // MARK
        for (int i = 0; i < entries.Count; i++)
        {
            var (name, type, shape) = entries[i];
            w.String(name);
            w.Global("torch._utils", "_rebuild_tensor_v2");
            w.Op(0x28);                                     // MARK (argument tuple)
            w.Op(0x28);                                     // MARK (persistent id)
            w.String("storage");
            w.Global("torch", StorageNames[type]);
            w.String(i.ToString());
            w.String("cpu");
            w.Int(shape.Aggregate(1L, (a, b) => a * b));
            w.Op(0x74); w.Op(0x51);                         // TUPLE, BINPERSID
            w.Int(0);                                       // storage offset
            w.Tuple(shape);
            w.Tuple(ContiguousStrides(shape));
            w.Op(0x89);                                     // NEWFALSE: requires_grad
            w.Global("collections", "OrderedDict");
            w.Op(0x29); w.Op(0x52);                         // OrderedDict(): backward hooks
            w.Op(0x74); w.Op(0x52);                         // TUPLE, REDUCE
        }
        if (entries.Count > 0) w.Op(0x75);                  // SETITEMS
        w.Op(0x2E);                                         // STOP
        return w._out.ToArray();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = s; s *= Math.Max(shape[i], 1); }
        return strides;
    }

    private void Op(params byte[] bytes) => _out.Write(bytes);

    private void Global(string module, string name)
    {
        string key = $"{module}\n{name}\n";
        if (_memo.TryGetValue(key, out byte index)) { Op(0x68, index); return; } // BINGET
        Op(0x63); _out.Write(Encoding.ASCII.GetBytes(key));                       // GLOBAL
        index = (byte)_memo.Count;
        if (_memo.Count < 256) { _memo[key] = index; Op(0x71, index); }            // BINPUT
    }

    private void String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op(0x58);                                                                  // BINUNICODE
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _out.Write(length);
        _out.Write(bytes);
    }

    private void Int(long v)
    {
        Span<byte> b = stackalloc byte[8];
        if (v is >= 0 and < 256) Op(0x4B, (byte)v);                                // BININT1
        else if (v is >= 0 and < 65536) { Op(0x4D); BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); _out.Write(b[..2]); } // BININT2
        else if (v is >= int.MinValue and <= int.MaxValue) { Op(0x4A); BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); _out.Write(b[..4]); } // BININT
        else { Op(0x8A, 8); BinaryPrimitives.WriteInt64LittleEndian(b, v); _out.Write(b); } // LONG1
    }

    private void Tuple(long[] items)
    {
        if (items.Length == 0) { Op(0x29); return; }                               // EMPTY_TUPLE
        if (items.Length > 3) Op(0x28);                                            // MARK
        foreach (var v in items) Int(v);
        Op(items.Length switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => 0x74 });    // TUPLE1..3 / TUPLE
    }
}
