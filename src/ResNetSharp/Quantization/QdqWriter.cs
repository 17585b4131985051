using ResNetSharp.Interop.Onnx.Proto;

namespace ResNetSharp.Quantization;

/// <summary>The 8-bit quantization of one activation: x ≈ (q − zero point) · scale, q uint8 or int8.</summary>
internal readonly record struct QuantParams(float Scale, int ZeroPoint, bool Unsigned)
{
    /// <summary>
    /// Asymmetric 8-bit over [lo, hi] (lo ≤ 0 ≤ hi): 255 steps, 0 exactly representable; lo = 0 gives the lowest
    /// zero point (0 for uint8, −128 for int8), which clamps as a Relu does.
    /// </summary>
    public static QuantParams Asymmetric(float lo, float hi, bool unsigned)
    {
        int qmin = unsigned ? 0 : -128;
        if (hi - lo <= 0 || !float.IsFinite(hi - lo)) return new(1, unsigned ? 128 : 0, unsigned);
        float scale = (hi - lo) / 255f;
        return new(scale, (int)Math.Clamp(Math.Round(qmin - lo / scale), qmin, qmin + 255), unsigned);
    }

    /// <summary>The zero point as a one-element initializer of the quantized type.</summary>
    public TensorProto ZeroPointTensor(string name) =>
        Unsigned ? Initializers.Of(name, new[] { (byte)ZeroPoint }) : Initializers.Of(name, new[] { (sbyte)ZeroPoint });
}

/// <summary>
/// Writes the QDQ graph of a <see cref="QdqPlan"/>: a QuantizeLinear after each quantized value and a
/// DequantizeLinear in front of each reader; weights of the quantized Conv and Gemm nodes as symmetric int8
/// initializers ([−127, 127], per output channel on axis 0 or per tensor) behind a DequantizeLinear, biases as int32
/// with scale input scale × weight scale.
/// </summary>
internal static class QdqWriter
{
    /// <summary>Rewrites <paramref name="plan"/>'s graph in place with the given activation quantizations.</summary>
    public static void Write(QdqPlan plan, IReadOnlyDictionary<string, QuantParams> activations, bool perChannel)
    {
        var graph = plan.Graph;
        var init = Initializers.ByName(graph);
        var quantized = plan.Values.ToHashSet();
        var nodes = graph.Node.ToList();
        graph.Node.Clear();
        int dqCount = 0;

        void Quantize(string value)
        {
            var (scale, zp) = Params(graph, value, activations[value]);
            graph.Node.Add(Node("QuantizeLinear", [value, scale, zp], value + "_q"));
        }

        foreach (var input in graph.Input.Where(i => quantized.Contains(i.Name))) Quantize(input.Name);
        foreach (var node in nodes)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                string x = node.Input[i];
                if (!quantized.Contains(x)) continue;
                var (scale, zp) = Params(graph, x, activations[x]);
                node.Input[i] = $"{x}_dq{dqCount++}";
                graph.Node.Add(Node("DequantizeLinear", [x + "_q", scale, zp], node.Input[i]));
            }
            if (plan.QuantizedNodes.Contains(node) && node.OpType is "Conv" or "Gemm")
                QuantizeWeights(graph, init, node, activations[Source(node.Input[0])].Scale, perChannel);
            graph.Node.Add(node);
            if (quantized.Contains(node.Output[0])) Quantize(node.Output[0]);
        }
        GraphQueries.RemoveUnusedInitializers(graph);
    }

    /// <summary>The quantized value a DequantizeLinear output (<c>x_dqN</c>) reads from.</summary>
    private static string Source(string dequantized) => dequantized[..dequantized.LastIndexOf("_dq", StringComparison.Ordinal)];

    /// <summary>The scale and zero point initializers of a value, added on first use.</summary>
    private static (string Scale, string ZeroPoint) Params(GraphProto graph, string value, QuantParams p)
    {
        string scale = value + "_scale", zp = value + "_zero_point";
        if (graph.Initializer.All(i => i.Name != scale))
        {
            graph.Initializer.Add(Initializers.Of(scale, [p.Scale]));
            graph.Initializer.Add(p.ZeroPointTensor(zp));
        }
        return (scale, zp);
    }

    private static void QuantizeWeights(GraphProto graph, Dictionary<string, TensorProto> init, NodeProto node, float inputScale, bool perChannel)
    {
        var weightProto = init[node.Input[1]];
        var w = Initializers.Floats(weightProto);
        int outC = (int)weightProto.Dims[0], per = w.Length / outC, groups = perChannel ? outC : 1;
        var scales = new float[groups];
        for (int g = 0; g < groups; g++)
        {
            float max = 0;
            for (int i = g * (w.Length / groups); i < (g + 1) * (w.Length / groups); i++) max = Math.Max(max, Math.Abs(w[i]));
            scales[g] = max > 0 ? max / 127f : 1f;
        }
        var q = new sbyte[w.Length];
        for (int i = 0; i < w.Length; i++) q[i] = (sbyte)Math.Clamp(Math.Round(w[i] / scales[perChannel ? i / per : 0]), -127, 127);
        long[] paramDims = perChannel ? [outC] : [];
        string name = node.Input[1];
        graph.Initializer.Add(Initializers.Of(name + "_quantized", q, [.. weightProto.Dims]));
        graph.Initializer.Add(Initializers.Of(name + "_scale", scales, paramDims));
        graph.Initializer.Add(Initializers.Of(name + "_zero_point", new sbyte[groups], paramDims));
        node.Input[1] = Dequantize(graph, name, perChannel);
        if (node.Input.Count < 3) return;

        string bias = node.Input[2];
        var b = Initializers.Floats(init[bias]);
        var bScales = new float[groups];
        for (int g = 0; g < groups; g++) bScales[g] = inputScale * scales[g];
        var bq = new int[b.Length];
        for (int c = 0; c < b.Length; c++) bq[c] = (int)Math.Clamp(Math.Round(b[c] / bScales[perChannel ? c : 0]), int.MinValue, int.MaxValue);
        graph.Initializer.Add(Initializers.Of(bias + "_quantized", bq, b.Length));
        graph.Initializer.Add(Initializers.Of(bias + "_scale", bScales, paramDims));
        graph.Initializer.Add(Initializers.Of(bias + "_zero_point", new int[groups], paramDims));
        node.Input[2] = Dequantize(graph, bias, perChannel);
    }

    /// <summary>A DequantizeLinear of the initializer <c>name_quantized</c> (axis 0 when per channel); returns its output.</summary>
    private static string Dequantize(GraphProto graph, string name, bool perChannel)
    {
        var dq = Node("DequantizeLinear", [name + "_quantized", name + "_scale", name + "_zero_point"], name + "_dequantized");
        if (perChannel) dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(dq);
        return dq.Output[0];
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
