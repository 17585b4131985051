using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Interop.Onnx.Proto;

namespace ResNetSharp.Quantization;

/// <summary>
/// What ONNX Runtime makes of a QDQ model: the operators of its optimised graph (extended level, where the QDQ
/// fusions run), split into those that run in int8 (QLinear*, QGemm, and ops such as MaxPool that read an int8
/// tensor directly), the remaining fp32 ones, and the QuantizeLinear/DequantizeLinear conversions left between them.
/// </summary>
/// <param name="Int8Ops">Operators that run on int8 tensors.</param>
/// <param name="Fp32Ops">Operators that run in fp32.</param>
/// <param name="Conversions">QuantizeLinear and DequantizeLinear nodes left after fusion (weights' ones are constant-folded).</param>
/// <param name="OpCounts">Every operator type of the optimised graph and how often it occurs.</param>
public sealed record QuantizationReport(int Int8Ops, int Fp32Ops, int Conversions, IReadOnlyDictionary<string, int> OpCounts)
{
    /// <summary>Optimises <paramref name="model"/> in ONNX Runtime (saving the optimised graph to a temporary file) and counts its operators.</summary>
    public static QuantizationReport Of(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"resnetsharp-optimised-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = path })
            using (new InferenceSession(model, options)) { }
            return Count(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static QuantizationReport Count(GraphProto graph)
    {
        var int8Values = new HashSet<string>();
        int int8 = 0, fp32 = 0, conversions = 0;
        foreach (var node in graph.Node)
        {
            string op = node.OpType;
            bool integerKernel = op.StartsWith("QLinear", StringComparison.Ordinal) || op is "QGemm" or "ConvInteger" or "MatMulInteger";
            bool int8Output = op == "QuantizeLinear" || (integerKernel && !(op == "QGemm" && node.Input.Count < 8))
                || (op != "DequantizeLinear" && node.Input.Count > 0 && int8Values.Contains(node.Input[0]));
            if (op is "QuantizeLinear" or "DequantizeLinear") conversions++;
            else if (integerKernel || int8Values.Contains(node.Input.FirstOrDefault() ?? "")) int8++;
            else fp32++;
            if (int8Output) int8Values.UnionWith(node.Output);
        }
        var counts = graph.Node.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
        return new QuantizationReport(int8, fp32, conversions, counts);
    }

    /// <summary>One line: the counts and the operator types.</summary>
    public override string ToString() =>
        $"{Int8Ops} operators run in int8, {Fp32Ops} in fp32, {Conversions} quantize/dequantize conversions ({string.Join(", ", OpCounts.Select(c => $"{c.Key} {c.Value}"))})";
}
