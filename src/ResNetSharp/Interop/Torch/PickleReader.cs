using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Torch;

/// <summary>A tensor storage named by a torch.save persistent id: <c>('storage', torch.FloatStorage, '0', 'cpu', numel)</c>.</summary>
internal sealed record StorageRef(ScalarType Type, string Key, long Numel);

/// <summary>A view of a storage, from <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)</c>.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

/// <summary>A pickled dict or <c>collections.OrderedDict</c>, in insertion order.</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object, object?>> Items { get; } = [];
}

/// <summary>
/// A restricted unpickler for PyTorch state_dicts: it understands only the opcodes and the few globals
/// (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>, <c>_rebuild_parameter</c> and the
/// float/half/bfloat16/long storage types) that <c>torch.save(model.state_dict())</c> writes. It never imports or
/// calls anything: anything else is rejected with an error, so a malicious pickle cannot run code.
/// </summary>
internal sealed class PickleReader
{
    private sealed record Global(string Name);
    private sealed class Mark;

    private static readonly Dictionary<string, ScalarType> StorageTypes = new()
    {
        ["torch.FloatStorage"] = ScalarType.Float32, ["torch.HalfStorage"] = ScalarType.Float16,
        ["torch.BFloat16Storage"] = ScalarType.BFloat16, ["torch.LongStorage"] = ScalarType.Int64,
    };
    private const string OrderedDict = "collections.OrderedDict", RebuildTensor = "torch._utils._rebuild_tensor_v2", RebuildParameter = "torch._utils._rebuild_parameter";

    private readonly byte[] _data;
    private readonly string _source;
    private readonly List<object?> _stack = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    private PickleReader(byte[] data, string source) => (_data, _source) = (data, source);

    /// <summary>The object the pickle builds (for a state_dict, a <see cref="PickleDict"/> of <see cref="TensorRef"/>).</summary>
    public static object? Read(byte[] data, string source) => new PickleReader(data, source).Run();

    private ResNetSharpException NotStateDict(string what) =>
        new($"'{_source}': {what}: this file is not a plain state_dict; re-save it with torch.save(model.state_dict(), path).");

    private object? Run()
    {
        while (true)
        {
            int at = _pos;
            byte op = Bytes(1)[0];
            switch (op)
            {
                case 0x80: Bytes(1); break;                                    // PROTO
                case 0x95: Bytes(8); break;                                    // FRAME
                case 0x2E: return _stack.Count == 1 ? Pop() : throw NotStateDict("the pickle stack is unbalanced at STOP"); // STOP
                case 0x28: Push(new Mark()); break;                            // MARK
                case 0x7D: Push(new PickleDict()); break;                      // EMPTY_DICT
                case 0x5D: Push(new List<object?>()); break;                   // EMPTY_LIST
                case 0x29: Push(Array.Empty<object?>()); break;                // EMPTY_TUPLE
                case 0x74: Push(PopToMark().ToArray()); break;                 // TUPLE
                case 0x85: case 0x86: case 0x87: Push(PopN(op - 0x84)); break; // TUPLE1..3
                case 0x4E: Push(null); break;                                  // NONE
                case 0x88: Push(true); break;                                  // NEWTRUE
                case 0x89: Push(false); break;                                 // NEWFALSE
                case 0x4B: Push((long)Bytes(1)[0]); break;                     // BININT1
                case 0x4D: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break; // BININT2
                case 0x4A: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;  // BININT
                case 0x8A: Push(Long1()); break;                               // LONG1
                case 0x58: Push(Encoding.UTF8.GetString(Bytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))))); break; // BINUNICODE
                case 0x8C: Push(Encoding.UTF8.GetString(Bytes(Bytes(1)[0]))); break; // SHORT_BINUNICODE
                case 0x71: _memo[Bytes(1)[0]] = Peek(); break;                 // BINPUT
                case 0x72: _memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                 // MEMOIZE
                case 0x68: Push(Memo(Bytes(1)[0])); break;                     // BINGET
                case 0x6A: Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))); break; // LONG_BINGET
                case 0x63: Push(Resolve(Line(), Line())); break;               // GLOBAL
                case 0x93: { var name = Pop(); var module = Pop(); Push(Resolve(module as string, name as string)); break; } // STACK_GLOBAL
                case 0x51: Push(PersistentId(Pop())); break;                   // BINPERSID
                case 0x52: { var args = Pop(); Push(Reduce(Pop(), args)); break; } // REDUCE
                case 0x73: { var value = Pop(); var key = Pop(); SetItems(Peek(), [key, value]); break; } // SETITEM
                case 0x75: { var items = PopToMark(); SetItems(Peek(), items); break; } // SETITEMS
                case 0x61: { var item = Pop(); AsList(Peek()).Add(item); break; } // APPEND
                case 0x65: { var items = PopToMark(); AsList(Peek()).AddRange(items); break; } // APPENDS
                case 0x62: Build(Pop(), Peek()); break;                        // BUILD
                default:
                    throw NotStateDict($"unsupported pickle opcode 0x{op:X2} ('{(char)op}') at byte {at}");
            }
        }
    }

    private ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > _data.Length - _pos)
            throw new ResNetSharpException($"'{_source}': the pickle ends unexpectedly at byte {_pos} (truncated or damaged file); re-save it with torch.save(model.state_dict(), path).");
        var span = _data.AsSpan(_pos, count);
        _pos += count;
        return span;
    }

    private int Length(uint n) => n > int.MaxValue ? throw NotStateDict($"a string of {n} bytes") : (int)n;

    private string Line()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) Bytes(_data.Length - _pos + 1);
        string line = Encoding.ASCII.GetString(Bytes(end - _pos));
        _pos++;
        return line;
    }

    private long Long1()
    {
        var bytes = Bytes(Bytes(1)[0]);
        if (bytes.Length > 8) throw NotStateDict($"an integer of {bytes.Length} bytes");
        long value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        int unused = 64 - 8 * bytes.Length;
        return bytes.Length == 0 ? 0 : unused == 0 ? value : (value << unused) >> unused; // sign-extend
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw NotStateDict("the pickle reads from an empty stack");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        if (value is Mark) throw NotStateDict("a MARK is used as a value");
        return value;
    }

    private object?[] PopN(int n)
    {
        var items = new object?[n];
        for (int i = n - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private List<object?> PopToMark()
    {
        int mark = _stack.FindLastIndex(o => o is Mark);
        if (mark < 0) throw NotStateDict("a pickle opcode needs a MARK that is missing");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object? Memo(long index) => _memo.TryGetValue(index, out var value) ? value : throw NotStateDict($"memo entry {index} is read before it is written");

    private object Resolve(string? module, string? name)
    {
        string full = $"{module}.{name}";
        if (StorageTypes.TryGetValue(full, out var type)) return type;
        if (full is OrderedDict or RebuildTensor or RebuildParameter) return new Global(full);
        if (module == "torch" && name?.EndsWith("Storage") == true)
            throw new ResNetSharpException($"'{_source}' stores tensors as {full}, which is not supported (float32, float16, bfloat16 and int64 are): convert the state_dict with .float() and save it again.");
        throw NotStateDict($"unsupported pickle global {full}");
    }

    private StorageRef PersistentId(object? pid)
    {
        if (pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is ScalarType type && t[2] is string key && t[4] is long numel)
            return new StorageRef(type, key, numel);
        throw NotStateDict("a persistent id that is not a ('storage', type, key, location, numel) tuple");
    }

    private object? Reduce(object? callable, object? args)
    {
        var a = args as object?[] ?? throw NotStateDict("REDUCE without an argument tuple");
        switch ((callable as Global)?.Name)
        {
            case OrderedDict when a.Length == 0:
                return new PickleDict();
            case RebuildTensor when a.Length is 6 or 7 && a[0] is StorageRef s && a[1] is long offset && a[2] is object?[] size && a[3] is object?[] stride:
                return new TensorRef(s, offset, Longs(size), Longs(stride));
            case RebuildParameter when a.Length >= 1 && a[0] is TensorRef tensor:
                return tensor;
            default:
                throw NotStateDict($"a call to {(callable as Global)?.Name ?? callable?.GetType().Name ?? "None"} with these arguments");
        }
    }

    private long[] Longs(object?[] items) => items.Select(i => i is long v ? v : throw NotStateDict("a tensor size or stride that is not an integer")).ToArray();

    private void SetItems(object? target, List<object?> items)
    {
        if (target is not PickleDict dict || items.Count % 2 != 0) throw NotStateDict("SETITEM(S) on something that is not a dict");
        for (int i = 0; i < items.Count; i += 2)
        {
            var key = items[i] ?? throw NotStateDict("a dict key that is None");
            int existing = dict.Items.FindIndex(kv => kv.Key.Equals(key));
            if (existing >= 0) dict.Items[existing] = new(key, items[i + 1]);
            else dict.Items.Add(new(key, items[i + 1]));
        }
    }

    private List<object?> AsList(object? target) => target as List<object?> ?? throw NotStateDict("APPEND(S) on something that is not a list");

    /// <summary>torch sets the state_dict's <c>_metadata</c> attribute (module versions) through BUILD; it is not needed to load weights.</summary>
    private void Build(object? state, object? target)
    {
        if (target is not PickleDict || state is not (PickleDict or null))
            throw NotStateDict("BUILD on something that is not a dict");
    }
}
