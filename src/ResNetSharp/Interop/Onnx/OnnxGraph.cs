using Google.Protobuf;
using ResNetSharp.Interop.Onnx.Proto;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Onnx;

/// <summary>Builds an ONNX <see cref="GraphProto"/> node by node, adding initializers from the model's state_dict on first use.</summary>
internal sealed class OnnxGraph(IReadOnlyDictionary<string, Tensor> weights)
{
    private int _count;

    public GraphProto Graph { get; } = new() { Name = "resnet" };

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string output = $"{op}_{_count++}";
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>The state_dict tensor <paramref name="key"/> as a float32 initializer of the same name.</summary>
    public string Weight(string key)
    {
        if (Graph.Initializer.Any(i => i.Name == key)) return key;
        using var scope = NewDisposeScope();
        var t = TensorBytes.ContiguousCpu(weights[key].to(ScalarType.Float32));
        var proto = new TensorProto { Name = key, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(t.bytes) };
        proto.Dims.AddRange(t.shape);
        Graph.Initializer.Add(proto);
        return key;
    }

    /// <summary>A constant int64 vector initializer (Slice and Pad take their parameters as inputs).</summary>
    public string Int64s(params long[] values)
    {
        string name = $"const_{_count++}";
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray()) };
        proto.Dims.Add(values.Length);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Renames the output of the node that produces <paramref name="value"/> (the graph's last value) to <paramref name="name"/>.</summary>
    public void NameOutput(string value, string name)
    {
        foreach (var node in Graph.Node)
            for (int i = 0; i < node.Output.Count; i++)
                if (node.Output[i] == value) node.Output[i] = name;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A float tensor value with fixed or symbolic (string) dimensions.</summary>
    public static ValueInfoProto FloatValue(string name, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
