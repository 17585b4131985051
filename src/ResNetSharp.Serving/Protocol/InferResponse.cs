using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ResNetSharp.Inference;

namespace ResNetSharp.Serving.Protocol;

/// <summary>
/// The answer to an inference request: each requested output as JSON <c>data</c> or, with <c>binary_data</c>, as
/// bytes after the JSON header (<c>Inference-Header-Content-Length</c>). <c>logits</c> is FP32 [N, classes]; with
/// <c>classification: K</c> it is BYTES [N, K] of <c>"prob:index:label"</c>, best first.
/// </summary>
internal static class InferResponse
{
    public static IResult Create(string model, InferRequest request, Predictor predictor, float[][] logits)
    {
        var outputs = new List<object>();
        using var binary = new MemoryStream();
        foreach (var o in request.Outputs)
        {
            object[] shape;
            object data;
            byte[] bytes;
            if (o.Classification > 0)
            {
                int k = Math.Min(o.Classification, predictor.Labels.Count);
                string[] labels = [.. logits.SelectMany(row => predictor.TopK(row, k).Select(p =>
                    $"{p.Prob.ToString("R", CultureInfo.InvariantCulture)}:{p.Index}:{p.Label}"))];
                (shape, data, bytes) = ([logits.Length, k], labels, o.Binary ? BytesElements(labels) : []);
            }
            else
            {
                float[] flat = [.. logits.SelectMany(row => row)];
                (shape, data, bytes) = ([logits.Length, logits.Length == 0 ? 0 : logits[0].Length], flat, o.Binary ? LittleEndian(flat) : []);
            }
            string datatype = o.Classification > 0 ? "BYTES" : "FP32";
            if (o.Binary)
            {
                binary.Write(bytes);
                outputs.Add(new { name = o.Name, datatype, shape, parameters = new { binary_data_size = bytes.Length } });
            }
            else outputs.Add(new { name = o.Name, datatype, shape, data });
        }
        var header = new Dictionary<string, object?> { ["model_name"] = model, ["model_version"] = "1", ["outputs"] = outputs };
        if (request.Id is not null) header["id"] = request.Id;
        if (binary.Length == 0) return Results.Json(header);
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        return new BinaryResult([.. json, .. binary.ToArray()], json.Length);
    }

    private static byte[] LittleEndian(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    private static byte[] BytesElements(string[] values)
    {
        using var s = new MemoryStream();
        var length = new byte[4];
        foreach (var v in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(v);
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            s.Write(length);
            s.Write(utf8);
        }
        return s.ToArray();
    }

    /// <summary>A JSON header followed by binary tensor data.</summary>
    private sealed class BinaryResult(byte[] body, int headerLength) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/octet-stream";
            http.Response.Headers[InferRequest.HeaderLength] = headerLength.ToString(CultureInfo.InvariantCulture);
            return http.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
