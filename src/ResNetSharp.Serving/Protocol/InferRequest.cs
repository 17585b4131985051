using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;

namespace ResNetSharp.Serving.Protocol;

/// <summary>One input tensor of an inference request: FP32 values, or BYTES elements (encoded images).</summary>
internal sealed record InferInput(string Name, string Datatype, long[] Shape, float[]? Floats, byte[][]? Elements);

/// <summary>A requested output: its name, <c>classification</c> top-k (0: none) and whether it comes back as binary.</summary>
internal sealed record RequestedOutput(string Name, int Classification, bool Binary);

/// <summary>
/// An Open Inference Protocol v2 request (KServe / Triton REST): the JSON header, and with
/// <c>Inference-Header-Content-Length</c> the binary tensor data after it, in input order (FP32 little-endian
/// row-major; BYTES as 4-byte little-endian length + bytes per element).
/// </summary>
internal sealed record InferRequest(string? Id, InferInput Input, IReadOnlyList<RequestedOutput> Outputs)
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    public static InferRequest Parse(byte[] body, string? headerLength)
    {
        int jsonLength = body.Length;
        if (headerLength is not null && (!int.TryParse(headerLength, NumberStyles.None, CultureInfo.InvariantCulture, out jsonLength) || jsonLength > body.Length))
            throw Bad($"{HeaderLength} is '{headerLength}' but the body has {body.Length} bytes: give the length of the JSON header.");
        if (!Utf8.IsValid(body.AsSpan(0, jsonLength)))
            throw Bad("the JSON header is not valid UTF-8 text: encode the request as UTF-8 (binary tensor data goes after it, with Inference-Header-Content-Length).");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.AsMemory(0, jsonLength));
        }
        catch (JsonException e)
        {
            throw Bad($"malformed JSON ({e.Message}): send an inference request such as {{\"inputs\": [{{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 3, 224, 224], \"data\": [...]}}]}}.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
                throw Bad("the request has no \"inputs\" array: send {\"inputs\": [{\"name\", \"datatype\", \"shape\", \"data\"}]}.");
            if (inputs.GetArrayLength() != 1)
                throw Bad($"the model has one input, but the request has {inputs.GetArrayLength()}: send one tensor named \"input\" (FP32 [N, C, H, W]) or encoded images (BYTES [N]).");
            ReadOnlyMemory<byte> binary = body.AsMemory(jsonLength);
            var input = ParseInput(inputs[0], ref binary);
            if (!binary.IsEmpty) throw Bad($"{binary.Length} bytes of binary data are left over after the inputs: check binary_data_size.");
            string? id = root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            bool binaryDefault = root.TryGetProperty("parameters", out var p) && Flag(p, "binary_data_output");
            var outputs = root.TryGetProperty("outputs", out var o) && o.ValueKind == JsonValueKind.Array
                ? o.EnumerateArray().Select(e => ParseOutput(e, binaryDefault)).ToList()
                : [new RequestedOutput("logits", 0, binaryDefault)];
            return new InferRequest(id, input, outputs);
        }
    }

    private static InferInput ParseInput(JsonElement e, ref ReadOnlyMemory<byte> binary)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"the input is a JSON {e.ValueKind}: send an object {{\"name\", \"datatype\", \"shape\", \"data\"}}.");
        string name = e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "input";
        string datatype = e.TryGetProperty("datatype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "";
        if (datatype is not ("FP32" or "BYTES"))
            throw Bad($"input '{name}' has datatype '{datatype}': send FP32 (normalised [N, C, H, W] tensors) or BYTES (encoded images).");
        if (!e.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array || s.EnumerateArray().Any(x => !Integer(x, out long v) || v < 0))
            throw Bad($"input '{name}' has no valid \"shape\": give it as an array of sizes, e.g. [1, 3, 224, 224].");
        long[] shape = [.. s.EnumerateArray().Select(x => x.GetInt64())];
        long count = shape.Aggregate(1L, (a, b) => a * b);
        long? size = e.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("binary_data_size", out var b) && Integer(b, out long bs) ? bs : null;
        if (size is { } bytes)
        {
            if (bytes < 0 || bytes > binary.Length) throw Bad($"input '{name}' has binary_data_size {bytes} but {binary.Length} bytes follow the JSON header: give the size of its binary data.");
            var data = binary[..(int)bytes];
            binary = binary[(int)bytes..];
            return datatype == "FP32" ? new(name, datatype, shape, Floats(name, data.Span, count), null) : new(name, datatype, shape, null, Elements(name, data.Span, count));
        }
        if (!e.TryGetProperty("data", out var values))
            throw Bad($"input '{name}' has neither \"data\" nor binary_data_size: give the values.");
        var flat = new List<JsonElement>();
        Flatten(values, flat);
        if (flat.Count != count)
            throw Bad($"input '{name}' has {flat.Count} values but its shape [{string.Join(", ", shape)}] needs {count}: make data match the shape.");
        return datatype == "FP32"
            ? new(name, datatype, shape, [.. flat.Select(v => v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw Bad($"input '{name}' is FP32 but holds {v.ValueKind}: give numbers."))], null)
            : new(name, datatype, shape, null, [.. flat.Select(v => Base64(name, v))]);
    }

    private static void Flatten(JsonElement e, List<JsonElement> into)
    {
        if (e.ValueKind != JsonValueKind.Array) { into.Add(e); return; }
        foreach (var x in e.EnumerateArray()) Flatten(x, into);
    }

    private static byte[] Base64(string name, JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.String && v.TryGetBytesFromBase64(out var bytes)) return bytes;
        throw Bad($"input '{name}' is BYTES: in JSON each element must be a base64 string of an encoded image.");
    }

    private static float[] Floats(string name, ReadOnlySpan<byte> data, long count)
    {
        if (data.Length != count * sizeof(float))
            throw Bad($"input '{name}' has {data.Length} bytes of FP32 data but its shape needs {count} x 4 = {count * 4}: make binary_data_size match the shape.");
        var floats = new float[count];
        for (int i = 0; i < floats.Length; i++) floats[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
        return floats;
    }

    private static byte[][] Elements(string name, ReadOnlySpan<byte> data, long count)
    {
        var elements = new List<byte[]>();
        while (data.Length >= 4)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(data);
            if (length < 0 || length > data.Length - 4) throw Bad($"input '{name}': a BYTES element says {length} bytes but {data.Length - 4} remain: each element is a 4-byte little-endian length, then the bytes.");
            elements.Add(data.Slice(4, length).ToArray());
            data = data[(4 + length)..];
        }
        if (!data.IsEmpty || elements.Count != count)
            throw Bad($"input '{name}' has {elements.Count} BYTES elements but its shape needs {count}: make the data match the shape.");
        return [.. elements];
    }

    private static RequestedOutput ParseOutput(JsonElement e, bool binaryDefault)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"an output is a JSON {e.ValueKind}: send objects {{\"name\": \"logits\", \"parameters\": {{...}}}}.");
        string name = e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        if (name != "logits") throw Bad($"unknown output '{name}': the model has one output, \"logits\".");
        int k = 0;
        bool binary = binaryDefault;
        if (e.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object)
        {
            if (p.TryGetProperty("classification", out var c) && (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out k) || k < 1))
                throw Bad("the output parameter \"classification\" must be a whole number of classes, at least 1.");
            if (p.TryGetProperty("binary_data", out _)) binary = Flag(p, "binary_data");
        }
        return new RequestedOutput(name, k, binary);
    }

    /// <summary>Whether <paramref name="e"/> is a JSON whole number that fits a long (TryGetInt64 throws on other kinds).</summary>
    private static bool Integer(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value);
    }

    private static bool Flag(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static ServingException Bad(string message) => new(400, message);
}
