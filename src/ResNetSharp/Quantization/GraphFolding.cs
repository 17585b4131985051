using ResNetSharp.Interop.Onnx.Proto;

namespace ResNetSharp.Quantization;

/// <summary>
/// Folds each BatchNormalization that directly follows a Conv (and is that Conv's only consumer) into the Conv, in
/// an ONNX graph: W' = W·s and b' = (b − mean)·s + β per output channel, with s = γ / √(var + ε), computed in
/// double precision. Batch norms that follow anything else (pre-activation blocks) stay as they are.
/// </summary>
internal static class GraphFolding
{
    /// <summary>Folds in place and returns how many batch norms were folded.</summary>
    public static int FoldBatchNorms(GraphProto graph)
    {
        var init = Initializers.ByName(graph);
        var consumers = GraphQueries.Consumers(graph);
        var producers = GraphQueries.Producers(graph);
        var folded = new List<NodeProto>();
        foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            if (!producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv" || consumers[bn.Input[0]].Count != 1
                || graph.Output.Any(o => o.Name == bn.Input[0]))
                continue;
            Fold(graph, init, conv, bn);
            conv.Output[0] = bn.Output[0];
            folded.Add(bn);
        }
        foreach (var bn in folded) graph.Node.Remove(bn);
        GraphQueries.RemoveUnusedInitializers(graph);
        return folded.Count;
    }

    private static void Fold(GraphProto graph, Dictionary<string, TensorProto> init, NodeProto conv, NodeProto bn)
    {
        var weightProto = init[conv.Input[1]];
        var w = Initializers.Floats(weightProto);
        var (gamma, beta, mean, var) = (Floats(init, bn, 1), Floats(init, bn, 2), Floats(init, bn, 3), Floats(init, bn, 4));
        double eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5;
        int outC = gamma.Length, perChannel = w.Length / outC;
        var bias = conv.Input.Count > 2 ? Initializers.Floats(init[conv.Input[2]]) : new float[outC];
        var newW = new float[w.Length];
        var newB = new float[outC];
        for (int c = 0; c < outC; c++)
        {
            double s = gamma[c] / Math.Sqrt(var[c] + eps);
            for (int i = 0; i < perChannel; i++) newW[c * perChannel + i] = (float)(w[c * perChannel + i] * s);
            newB[c] = (float)((bias[c] - mean[c]) * s + beta[c]);
        }
        string wName = conv.Input[1] + ".folded", bName = conv.Input[1] + ".folded_bias";
        graph.Initializer.Add(Initializers.Of(wName, newW, [.. weightProto.Dims]));
        graph.Initializer.Add(Initializers.Of(bName, newB, outC));
        conv.Input[1] = wName;
        if (conv.Input.Count > 2) conv.Input[2] = bName;
        else conv.Input.Add(bName);
    }

    private static float[] Floats(Dictionary<string, TensorProto> init, NodeProto node, int input) => Initializers.Floats(init[node.Input[input]]);
}
