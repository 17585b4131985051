using ResNetSharp.Interop.Onnx.Proto;

namespace ResNetSharp.Quantization;

/// <summary>Who reads and who writes each value of an ONNX graph.</summary>
internal static class GraphQueries
{
    /// <summary>The nodes reading each value (every node output and graph input has an entry, possibly empty).</summary>
    public static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = graph.Input.Select(i => i.Name).Concat(graph.Node.SelectMany(n => n.Output))
            .Distinct().ToDictionary(v => v, _ => new List<NodeProto>());
        foreach (var node in graph.Node)
            foreach (var input in node.Input)
                if (consumers.TryGetValue(input, out var list) && !list.Any(n => ReferenceEquals(n, node))) list.Add(node);
        return consumers;
    }

    /// <summary>The node writing each value.</summary>
    public static Dictionary<string, NodeProto> Producers(GraphProto graph) =>
        graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);

    /// <summary>Drops the initializers no node reads any more.</summary>
    public static void RemoveUnusedInitializers(GraphProto graph)
    {
        var used = graph.Node.SelectMany(n => n.Input).ToHashSet();
        foreach (var unused in graph.Initializer.Where(i => !used.Contains(i.Name)).ToList()) graph.Initializer.Remove(unused);
    }
}
