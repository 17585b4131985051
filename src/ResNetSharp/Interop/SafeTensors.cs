using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>, padded
/// with spaces to a multiple of 8), then the tensors' bytes, contiguous and little-endian. Supports F32, F16, BF16, I64.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000; // safetensors' own limit on the JSON header

    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64,
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device, any layout; copied contiguous to the CPU) with optional string
    /// metadata. The file appears atomically: it is written to a temporary file, then renamed.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = NewDisposeScope();
        var entries = tensors.Select(kv => (kv.Key, Tensor: TensorBytes.ContiguousCpu(kv.Value))).ToList();
        var header = Header(entries, metadata);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((ulong)header.Length));
            stream.Write(header);
            foreach (var (_, tensor) in entries) TensorBytes.Write(stream, tensor);
        });
    }

    /// <summary>Reads a safetensors file into CPU tensors, validating the header against the file. Dispose the result to free them.</summary>
    public static NamedTensors Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        string Problem(string what, string fix = "the file is damaged or was not written as safetensors; re-export it") =>
            $"'{path}' is not a valid safetensors file: {what}; {fix}.";
        if (bytes.Length < 8) throw new ResNetSharpException(Problem($"it has {bytes.Length} bytes, fewer than the 8-byte header length (truncated file)"));
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > bytes.Length)
            throw new ResNetSharpException(Problem($"the header claims {headerLength} bytes but the file has only {bytes.Length - 8} after the length (truncated file)"));
        int dataStart = 8 + (int)headerLength;
        long dataLength = bytes.Length - dataStart;

        if (!Utf8.IsValid(bytes.AsSpan(8, (int)headerLength))) throw new ResNetSharpException(Problem("the header is not UTF-8 text"));
        JsonDocument json;
        try { json = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength)); }
        catch (JsonException e) { throw new ResNetSharpException(Problem($"the header is not well-formed JSON ({e.Message})")); }
        using var _ = json;
        if (json.RootElement.ValueKind != JsonValueKind.Object) throw new ResNetSharpException(Problem("the header is not a JSON object"));

        var metadata = new Dictionary<string, string>();
        var specs = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
        foreach (var property in json.RootElement.EnumerateObject())
        {
            if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, Problem);
            else specs.Add(ReadSpec(property, Problem));
        }

        long expected = 0;
        foreach (var spec in specs.OrderBy(s => s.Begin).ThenBy(s => s.End))
        {
            if (spec.End > dataLength)
                throw new ResNetSharpException(Problem($"tensor '{spec.Name}' ends at byte {spec.End} but the data section has {dataLength} bytes (offsets out of bounds or truncated file)"));
            if (spec.Begin < expected) throw new ResNetSharpException(Problem($"tensor '{spec.Name}' overlaps the previous tensor (begins at {spec.Begin}, before {expected})"));
            if (spec.Begin > expected) throw new ResNetSharpException(Problem($"there are unused bytes {expected}..{spec.Begin} before tensor '{spec.Name}'"));
            expected = spec.End;
        }
        if (expected != dataLength) throw new ResNetSharpException(Problem($"the tensors cover {expected} bytes but the data section has {dataLength} (trailing bytes)"));

        var result = new Dictionary<string, Tensor>();
        foreach (var s in specs)
            result[s.Name] = TensorBytes.FromBytes(bytes.AsSpan(dataStart + (int)s.Begin, (int)(s.End - s.Begin)), s.Type, s.Shape);
        return new NamedTensors(result, metadata);
    }

    private static byte[] Header(List<(string Key, Tensor Tensor)> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in entries)
            {
                if (name == MetadataKey) throw new ResNetSharpException($"a tensor cannot be named '{MetadataKey}' in a safetensors file: rename it.");
                long length = tensor.numel() * TensorBytes.ElementSize(tensor.dtype);
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypes.First(d => d.Value == tensor.dtype).Key);
                w.WriteStartArray("shape");
                foreach (var d in tensor.shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += length;
            }
            w.WriteEndObject();
        }
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, Func<string, string, string> problem)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new ResNetSharpException(problem($"'{MetadataKey}' is not an object of strings", "re-export the file"));
        foreach (var p in element.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String) throw new ResNetSharpException(problem($"metadata entry '{p.Name}' is not a string", "re-export the file"));
            metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private static (string, ScalarType, long[], long, long) ReadSpec(JsonProperty property, Func<string, string, string> problem)
    {
        string name = property.Name;
        string Bad(string what) => problem($"tensor '{name}' {what}", "the file is damaged or was not written as safetensors; re-export it");
        var e = property.Value;
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new ResNetSharpException(Bad("needs \"dtype\", \"shape\" and two \"data_offsets\""));
        string dtypeName = dtype.GetString()!;
        if (!DTypes.TryGetValue(dtypeName, out var type))
            throw new ResNetSharpException(problem($"tensor '{name}' has dtype {dtypeName}, which is not supported (F32, F16, BF16, I64 are)", "convert the weights to float32 before saving"));
        long[] dims = shape.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long v) && v >= 0 ? v : -1).ToArray();
        if (dims.Any(d => d < 0)) throw new ResNetSharpException(Bad("has a shape that is not a list of non-negative integers"));
        if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new ResNetSharpException(Bad("has data_offsets that are not two increasing non-negative integers"));
        long expected = TensorBytes.ElementSize(type);
        try { foreach (long d in dims) expected = checked(expected * d); }
        catch (OverflowException) { throw new ResNetSharpException(Bad($"has shape [{string.Join(", ", dims)}], more bytes than any file holds")); }
        if (end - begin != expected)
            throw new ResNetSharpException(Bad($"has {end - begin} bytes but shape [{string.Join(", ", dims)}] of {dtypeName} needs {expected}"));
        return (name, type, dims, begin, end);
    }
}
