using ResNetSharp.Interop.Onnx.Proto;

namespace ResNetSharp.Quantization;

/// <summary>
/// Which values of a batch-norm-folded fp32 graph get QuantizeLinear/DequantizeLinear pairs, laid out the way ONNX
/// Runtime's QDQ fusions expect (its Python quantizer's layout): Conv and Gemm read dequantized int8 activations and
/// weights (int32 bias); Add and GlobalAveragePool read and write quantized values (QLinearAdd,
/// QLinearGlobalAveragePool); MaxPool, Flatten, Slice and Pad pass their input's quantization through (int8 in,
/// int8 out); a Relu that is the only reader of a Conv's or Add's output is removed, that output taking the Relu's
/// range, whose lowest zero point (0 for uint8, −128 for int8) then clamps exactly as the Relu did. Everything else stays fp32 between a
/// DequantizeLinear and a QuantizeLinear. The graph's output stays float.
/// </summary>
internal sealed class QdqPlan
{
    private static readonly HashSet<string> Weighted = ["Conv", "Gemm"], Requantized = ["Add", "GlobalAveragePool"],
        PassThrough = ["MaxPool", "Flatten", "Slice", "Pad"];

    private QdqPlan(GraphProto graph, HashSet<NodeProto> quantizedNodes, List<string> values, Dictionary<string, string> sameAs)
        => (Graph, QuantizedNodes, Values, SameAs) = (graph, quantizedNodes, values, sameAs);

    /// <summary>The graph with the absorbed Relus removed (a copy; the input graph is unchanged).</summary>
    public GraphProto Graph { get; }

    /// <summary>The nodes that read quantized inputs (int8 kernels once ONNX Runtime fuses them).</summary>
    public HashSet<NodeProto> QuantizedNodes { get; }

    /// <summary>The quantized values in graph order (graph input first).</summary>
    public List<string> Values { get; }

    /// <summary>Pass-through outputs and the value whose quantization they reuse.</summary>
    public Dictionary<string, string> SameAs { get; }

    /// <summary>The values whose ranges calibration must measure (all quantized values but the pass-through ones); each exists in the unplanned graph.</summary>
    public IEnumerable<string> Calibrated => Values.Where(v => !SameAs.ContainsKey(v));

    /// <summary>The layer name of a Conv or Gemm: its weight's name up to <c>.weight</c>.</summary>
    public static string LayerOf(NodeProto node)
    {
        string w = node.Input[1];
        int end = w.IndexOf(".weight", StringComparison.Ordinal);
        return end > 0 ? w[..end] : w;
    }

    /// <summary>Plans <paramref name="folded"/>, leaving the Conv and Gemm layers named by <paramref name="keepFp32"/> (and everything under them) in fp32.</summary>
    public static QdqPlan Make(GraphProto folded, IReadOnlyCollection<string> keepFp32)
    {
        var graph = folded.Clone();
        var layers = graph.Node.Where(n => Weighted.Contains(n.OpType)).Select(LayerOf).ToList();
        var unknown = keepFp32.Where(k => !layers.Any(l => l == k || l.StartsWith(k + ".", StringComparison.Ordinal))).ToArray();
        if (unknown.Length > 0)
            throw new ResNetSharpException($"QuantizeOptions.KeepFp32 names no convolution or linear layer: {string.Join(", ", unknown)}. Layers are named as in the state_dict, e.g. conv1, layer1.0.conv2, layer4, fc.");
        bool Kept(NodeProto n) => Weighted.Contains(n.OpType) && keepFp32.Any(k => LayerOf(n) == k || LayerOf(n).StartsWith(k + ".", StringComparison.Ordinal));
        var quantized = new HashSet<NodeProto>(graph.Node.Where(n => (Weighted.Contains(n.OpType) && !Kept(n)) || Requantized.Contains(n.OpType) || PassThrough.Contains(n.OpType)),
            ReferenceEqualityComparer.Instance); // protobuf messages compare by value, and outputs get renamed below
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();

        AbsorbRelus(graph, quantized, outputs);

        var consumers = GraphQueries.Consumers(graph);
        var values = new List<string>();
        var sameAs = new Dictionary<string, string>();
        bool Wanted(string v) => !outputs.Contains(v) && consumers[v].Any(quantized.Contains);
        foreach (var input in graph.Input.Select(i => i.Name))
            if (Wanted(input)) values.Add(input);
        foreach (var node in graph.Node)
        {
            string y = node.Output[0];
            if (outputs.Contains(y) || !(Wanted(y) || (quantized.Contains(node) && node.OpType != "Gemm"))) continue;
            values.Add(y);
            if (PassThrough.Contains(node.OpType)) sameAs[y] = sameAs.GetValueOrDefault(node.Input[0], node.Input[0]);
        }
        return new QdqPlan(graph, quantized, values, sameAs);
    }

    /// <summary>Removes each Relu that is the only reader of a quantized Conv's or Add's output (not a graph output).</summary>
    private static void AbsorbRelus(GraphProto graph, HashSet<NodeProto> quantized, HashSet<string> outputs)
    {
        var consumers = GraphQueries.Consumers(graph);
        var producers = GraphQueries.Producers(graph);
        foreach (var relu in graph.Node.Where(n => n.OpType == "Relu").ToList())
        {
            if (!producers.TryGetValue(relu.Input[0], out var producer) || !quantized.Contains(producer) || producer.OpType is not ("Conv" or "Add")
                || consumers[relu.Input[0]].Count != 1 || outputs.Contains(relu.Input[0]) || outputs.Contains(relu.Output[0]))
                continue;
            producer.Output[0] = relu.Output[0];
            graph.Node.Remove(relu);
        }
    }
}
