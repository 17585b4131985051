using ResNetSharp.IO;
using Google.Protobuf;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Onnx.Proto;
using ResNetSharp.Models;
using ResNetSharp.Models.Blocks;
using ResNetSharp.Settings;
using TorchSharp;
using TorchSharp.Modules;
using static ResNetSharp.Interop.Onnx.OnnxGraph;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Onnx;

/// <summary>How to export: ONNX opset, and whether the batch dimension is symbolic.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The ai.onnx opset (13 to 21; default 17).</summary>
    [Setting("opset", "ONNX opset (13-21).")]
    public int Opset { get; init; } = 17;
    /// <summary>Make the batch dimension symbolic ("batch") instead of <see cref="BatchSize"/>.</summary>
    [Setting("dynamic-batch", "Make the ONNX batch dimension symbolic, as model files need for batches; '--dynamic-batch false' for a batch of 1.")]
    public bool DynamicBatch { get; init; }
    /// <summary>The fixed batch size when <see cref="DynamicBatch"/> is false.</summary>
    public int BatchSize { get; init; } = 1;
}

/// <summary>
/// Exports a <see cref="ResNet"/> to ONNX by walking its structure (stem, stages of blocks, head) in inference mode:
/// Conv, BatchNormalization (eval, running statistics; not folded), Relu, MaxPool, Add, Slice + Pad (option A
/// shortcuts), GlobalAveragePool / GlobalMaxPool, Flatten, Gemm. Weights become float32 initializers named by their
/// state_dict keys. Input <c>input</c> [N, C, height, width] (height and width symbolic), output <c>output</c>.
/// </summary>
public static class OnnxExport
{
    private const int MinOpset = 13, MaxOpset = 21;

    /// <summary>Writes the ONNX model to <paramref name="path"/> atomically.</summary>
    public static void Save(ResNet model, string path, OnnxExportOptions? options = null)
    {
        var proto = Build(model, options ?? new OnnxExportOptions());
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>The ONNX model as a protobuf message.</summary>
    public static ModelProto Build(ResNet model, OnnxExportOptions options)
    {
        if (options.Opset is < MinOpset or > MaxOpset)
            throw new ResNetSharpException($"ONNX opset {options.Opset} is not supported: choose {MinOpset} to {MaxOpset} (17 is the default).");
        if (!options.DynamicBatch && options.BatchSize < 1)
            throw new ResNetSharpException($"the batch size must be at least 1 (got {options.BatchSize}), or use a dynamic batch.");
        var weights = model.state_dict();
        var g = new OnnxGraph(weights);
        var output = new Walker(g).Network(model, "input");
        g.NameOutput(output, "output");

        var c = model.Config;
        object batch = options.DynamicBatch ? "batch" : options.BatchSize;
        g.Graph.Input.Add(FloatValue("input", batch, c.InChannels, "height", "width"));
        g.Graph.Output.Add(c.Head switch
        {
            HeadKind.Classifier => FloatValue("output", batch, c.NumClasses),
            HeadKind.AvgPool or HeadKind.MaxPool => FloatValue("output", batch, c.FeatureChannels),
            _ => FloatValue("output", batch, c.FeatureChannels, "out_height", "out_width"),
        });
        var proto = new ModelProto
        {
            IrVersion = options.Opset >= 21 ? 10 : options.Opset >= 19 ? 9 : 8, // the IR version that introduced each opset
            ProducerName = "ResNetSharp",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            Graph = g.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        return proto;
    }

    /// <summary>Emits the nodes of each module, following the forward passes of <see cref="ResNet"/> and the blocks.</summary>
    private sealed class Walker(OnnxGraph g)
    {
        public string Network(ResNet model, string x)
        {
            var top = Children(model);
            x = Module("conv1", top["conv1"], x);
            if (top.TryGetValue("bn1", out var bn1)) x = Relu(Module("bn1", bn1, x));
            if (top.TryGetValue("maxpool", out var maxpool)) x = Module("maxpool", maxpool, x);
            for (int i = 1; top.TryGetValue($"layer{i}", out var stage); i++)
                foreach (var (name, block) in stage.named_children()) x = Block($"layer{i}.{name}", block, x);
            if (top.TryGetValue("final_bn", out var finalBn)) x = Relu(Module("final_bn", finalBn, x));
            if (top.ContainsKey("avgpool")) x = g.Node("Flatten", [g.Node("GlobalAveragePool", [x])], Int("axis", 1));
            if (top.ContainsKey("global_pool")) x = g.Node("Flatten", [g.Node("GlobalMaxPool", [x])], Int("axis", 1));
            if (top.TryGetValue("fc", out var fc)) x = Module("fc", fc, x);
            return x;
        }

        private static Dictionary<string, nn.Module> Children(nn.Module m) => m.named_children().ToDictionary(c => c.name, c => c.module);

        private string Relu(string x) => g.Node("Relu", [x]);

        /// <summary>Emits a block's nodes by walking its <see cref="BlockPlan"/>, in the order its forward pass runs.</summary>
        private string Block(string name, nn.Module module, string x)
        {
            if (module is not ResidualBlock block)
                throw new ResNetSharpException($"cannot export block '{name}' of type {module.GetType().Name} to ONNX: only the ResNetSharp block kinds are supported.");
            var plan = block.Plan;
            string M(string path, string input) => Module($"{name}.{path}", block.Layer(path), input);
            var pre = plan.PreNorm is { } preNorm ? Relu(M(preNorm, x)) : x;
            var y = pre;
            foreach (var step in plan.Branch)
            {
                y = M(step.Conv, y);
                if (step.Norm is { } norm) y = M(norm, y);
                if (step.Relu) y = Relu(y);
            }
            var shortcut = plan.Shortcut;
            switch (shortcut.Path)
            {
                case ShortcutPath.Identity:
                    y = g.Node("Add", [y, x]);
                    break;
                case ShortcutPath.ZeroPad:
                    y = g.Node("Add", [y, ZeroPad(x, shortcut.ZeroPad!.Value)]);
                    break;
                case ShortcutPath.Projection:
                    var skip = M(shortcut.Conv!, shortcut.FromPreActivated ? pre : x);
                    if (shortcut.Norm is { } projectionNorm) skip = M(projectionNorm, skip);
                    y = g.Node("Add", [y, skip]);
                    break;
            }
            return plan.ReluAfterAdd ? Relu(y) : y;
        }

        private string ZeroPad(string x, ZeroPadGeometry geometry)
        {
            var (stride, before, after) = geometry;
            if (stride != 1) x = g.Node("Slice", [x, g.Int64s(0, 0), g.Int64s(long.MaxValue, long.MaxValue), g.Int64s(2, 3), g.Int64s(stride, stride)]);
            return g.Node("Pad", [x, g.Int64s(0, before, 0, 0, 0, after, 0, 0)]);
        }

        private string Module(string name, nn.Module m, string x)
        {
            switch (m)
            {
                case Conv2d conv:
                {
                    var w = conv.weight!;
                    var inputs = new List<string> { x, g.Weight($"{name}.weight") };
                    if (conv.bias is not null) inputs.Add(g.Weight($"{name}.bias"));
                    long pad = (w.shape[2] - 1) / 2; // ResNet convolutions are "same"-padded: 7x7 pad 3, 3x3 pad 1, 1x1 pad 0
                    return g.Node("Conv", inputs, Ints("kernel_shape", w.shape[2], w.shape[3]), Ints("strides", conv.stride),
                        Ints("pads", pad, pad, pad, pad), Int("group", conv.groups));
                }
                case BatchNorm2d bn:
                    return g.Node("BatchNormalization", [x, g.Weight($"{name}.weight"), g.Weight($"{name}.bias"), g.Weight($"{name}.running_mean"), g.Weight($"{name}.running_var")],
                        Float("epsilon", (float)bn.eps));
                case Identity:
                    return x;
                case MaxPool2d:
                    return g.Node("MaxPool", [x], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1)); // ResNet's stem pool
                case Linear:
                    return g.Node("Gemm", [x, g.Weight($"{name}.weight"), g.Weight($"{name}.bias")], Int("transB", 1));
                default:
                    throw new ResNetSharpException($"cannot export module '{name}' of type {m.GetType().Name} to ONNX.");
            }
        }
    }
}
