using System.Text;
using ResNetSharp.Models;
using ResNetSharp.Models.Blocks;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Inference;

/// <summary>
/// The inference fast path of a post-activation <see cref="ResNet"/>: every batch norm folded into its convolution
/// (<see cref="BatchNormFolding"/>), and the whole network as ONE TorchScript function (compiled with
/// <c>torch.jit.compile</c>, weights passed as a <c>List[Tensor]</c>) that on CUDA calls cuDNN's fused
/// <c>torch.cudnn_convolution_relu</c> and <c>torch.cudnn_convolution_add_relu</c> (conv + bias + residual add + ReLU in one
/// kernel). Elsewhere (CPU) the same function uses the exact fallback, <c>relu(conv2d(x) [+ z])</c>. Weights and
/// activations are in <see cref="Precision"/>'s compute dtype, optionally channels_last; the output is fp32.
/// The source model is not changed; this module holds its own folded copies of the weights.
/// </summary>
public sealed class FusedResNet : nn.Module<Tensor, Tensor>
{
    private readonly jit.CompilationUnit _script;
    private readonly List<Tensor> _weights = [];

    /// <summary>Whether the cuDNN fused kernels are used (CUDA), rather than the plain conv + ReLU fallback.</summary>
    public bool UsesCudnnFusion { get; }

    /// <summary>The device of the folded weights (the source model's); inputs must be on it.</summary>
    public Device Device { get; }

    /// <summary>The generated TorchScript source (for inspection).</summary>
    public string Source { get; }

    /// <summary>
    /// Folds and fuses <paramref name="model"/> (on its device) for inference in the given precision and layout;
    /// <paramref name="stemChannels"/> above the model's input channels zero-pads the input to that many channels.
    /// </summary>
    public FusedResNet(ResNet model, Precision precision = Precision.FP32, bool channelsLast = false, int stemChannels = 0) : base(nameof(FusedResNet))
    {
        if (model.Config.PreActivation)
            throw new ResNetSharpException("fused inference needs a post-activation ResNet (batch norm after each convolution); run the pre-activation model directly.");
        Device = model.parameters().First().device;
        UsesCudnnFusion = Device.type == DeviceType.CUDA;
        var dtype = precision.ComputeType();
        var builder = new ScriptBuilder(this, dtype, channelsLast);
        var children = Children(model);

        // Enum values as integers: a compiled string cannot name torch.bfloat16 or torch.channels_last (2).
        long pad = stemChannels == 0 ? 0 : stemChannels - model.Config.InChannels;
        if (pad < 0)
            throw new ResNetSharpException($"the stem can be padded to more input channels than the model's {model.Config.InChannels}, not to {stemChannels}.");
        if (pad > 0) builder.Line($"x = torch.constant_pad_nd(x, [0, 0, 0, 0, 0, {pad}], 0.0)");   // zero channels after the real ones
        // Cast and layout in one copy (none when the input already is in both, as a channels_last batch cast earlier).
        builder.Line(channelsLast ? $"x = x.to(dtype={(int)dtype}, memory_format=2)" : $"x = x.to(dtype={(int)dtype})");
        builder.Line($"x = {builder.ConvRelu("x", Conv(children["conv1"]), children.GetValueOrDefault("bn1"), pad)}");
        if (children.TryGetValue("maxpool", out var pool) && pool is TorchSharp.Modules.MaxPool2d)
            builder.Line("x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1])");
        for (int i = 1; children.TryGetValue($"layer{i}", out var stage); i++)
            foreach (var block in stage.children()) builder.Block(block);
        switch (model.Config.Head)
        {
            case HeadKind.Classifier:
                var fc = (TorchSharp.Modules.Linear)children["fc"];
                builder.Line("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
                builder.Line($"x = torch.linear(x, {builder.Add(fc.weight, dtype, false)}, {builder.Add(fc.bias!, dtype, false)})");
                break;
            case HeadKind.AvgPool:
                builder.Line("x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)");
                break;
            case HeadKind.MaxPool:
                builder.Line("x = torch.amax(x, [2, 3])");
                break;
        }
        builder.Line("return x.float()");
        Source = builder.Script(UsesCudnnFusion);
        _script = jit.compile(Source);
    }

    public override Tensor forward(Tensor input)
    {
        using var _ = no_grad();
        return _script.invoke<Tensor>("forward", input, _weights.ToArray());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var w in _weights) w.Dispose();
        _weights.Clear();
        base.Dispose(disposing);
    }

    private static Dictionary<string, nn.Module> Children(nn.Module module) =>
        module.named_children().ToDictionary(c => c.name, c => c.module);

    private static TorchSharp.Modules.Conv2d Conv(nn.Module module) => module switch
    {
        TorchSharp.Modules.Conv2d conv when conv.padding is not null && conv.padding_mode == PaddingModes.Zeros => conv,
        _ => throw new ResNetSharpException($"fused inference supports zero-padded Conv2d layers, found {module.GetType().Name}: run the model directly."),
    };

    /// <summary>Writes the body of the TorchScript function, one line per fused layer, and collects the folded weights.</summary>
    private sealed class ScriptBuilder(FusedResNet owner, ScalarType dtype, bool channelsLast)
    {
        private readonly StringBuilder _body = new();
        private int _temp;

        public void Line(string line) => _body.Append("    ").AppendLine(line);

        /// <summary>Stores a tensor (cast, optionally channels_last) and returns its TorchScript expression.</summary>
        public string Add(Tensor t, ScalarType type, bool layout)
        {
            using var _ = no_grad();
            var stored = t.detach().to(type);
            if (layout && channelsLast) stored = ChannelsLast.Convert(stored);
            owner._weights.Add(stored.DetachFromDisposeScope());
            return $"w[{owner._weights.Count - 1}]";
        }

        private string Args(TorchSharp.Modules.Conv2d conv, nn.Module? norm, long padInputChannels = 0)
        {
            var (w, b) = BatchNormFolding.Fold(conv, norm ?? nn.Identity());
            if (padInputChannels > 0)
            {
                using var unpadded = w;
                w = nn.functional.pad(unpadded, [0, 0, 0, 0, 0, padInputChannels]);   // zero weights for the zero channels
            }
            using (w) using (b)
            {
                string list(long[] v) => $"[{string.Join(", ", v)}]";
                var (ws, bs) = (Add(w, dtype, true), Add(b, dtype, false));
                return $"{ws}, {bs}, {list(conv.stride)}, {list(conv.padding!)}, {list(conv.dilation)}, {conv.groups}";
            }
        }

        public string ConvRelu(string x, TorchSharp.Modules.Conv2d conv, nn.Module? norm, long padInputChannels = 0) =>
            $"conv_relu({x}, {Args(conv, norm, padInputChannels)})";

        public string ConvAddRelu(string x, TorchSharp.Modules.Conv2d conv, nn.Module? norm, string z) => $"conv_add_relu({x}, {z}, {Args(conv, norm)})";

        /// <summary>
        /// One post-activation block, from its <see cref="BlockPlan"/>: conv-relu for every step but the last, then the
        /// last conv + shortcut + relu fused (conv-relu for a plain block).
        /// </summary>
        public void Block(nn.Module module)
        {
            if (module is not ResidualBlock { Plan: { PreNorm: null, ReluAfterAdd: true } plan } block || !plan.Branch.SkipLast(1).All(s => s.Relu) || plan.Branch[^1].Relu)
                throw new ResNetSharpException($"fused inference supports BasicBlock and Bottleneck, found {module.GetType().Name}: run the model directly.");
            string y = $"y{_temp++}", input = "x";
            foreach (var step in plan.Branch.SkipLast(1))
            {
                Line($"{y} = {ConvRelu(input, Conv(block, step.Conv), Norm(block, step.Norm))}");
                input = y;
            }
            var last = plan.Branch[^1];
            var shortcut = plan.Shortcut;
            string z = shortcut.Path switch
            {
                ShortcutPath.None => "",
                ShortcutPath.Identity => "x",
                ShortcutPath.ZeroPad => ZeroPad(shortcut.ZeroPad!.Value),
                _ => $"conv(x, {Args(Conv(block, shortcut.Conv!), Norm(block, shortcut.Norm))})",
            };
            var (conv, norm) = (Conv(block, last.Conv), Norm(block, last.Norm));
            Line(z == "" ? $"x = {ConvRelu(y, conv, norm)}" : $"x = {ConvAddRelu(y, conv, norm, z)}");   // conv-relu: the plain (non-residual) twin
        }

        private static TorchSharp.Modules.Conv2d Conv(ResidualBlock block, string path) => FusedResNet.Conv(block.Layer(path));

        private static nn.Module? Norm(ResidualBlock block, string? path) => path is null ? null : block.Layer(path);

        private static string ZeroPad(ZeroPadGeometry g) =>
            $"torch.constant_pad_nd(x[:, :, ::{g.Stride}, ::{g.Stride}], [0, 0, 0, 0, {g.Before}, {g.After}], 0.0)";

        public string Script(bool cudnnFusion)
        {
            var ops = cudnnFusion
                ? """
                def conv_relu(x: Tensor, w: Tensor, b: Tensor, s: List[int], p: List[int], d: List[int], g: int) -> Tensor:
                    return torch.cudnn_convolution_relu(x, w, b, s, p, d, g)

                def conv_add_relu(x: Tensor, z: Tensor, w: Tensor, b: Tensor, s: List[int], p: List[int], d: List[int], g: int) -> Tensor:
                    return torch.cudnn_convolution_add_relu(x, w, z, 1.0, b, s, p, d, g)
                """
                : """
                def conv_relu(x: Tensor, w: Tensor, b: Tensor, s: List[int], p: List[int], d: List[int], g: int) -> Tensor:
                    return torch.relu(torch.conv2d(x, w, b, s, p, d, g))

                def conv_add_relu(x: Tensor, z: Tensor, w: Tensor, b: Tensor, s: List[int], p: List[int], d: List[int], g: int) -> Tensor:
                    return torch.relu(torch.conv2d(x, w, b, s, p, d, g) + z)
                """;
            return ops + """


                def conv(x: Tensor, w: Tensor, b: Tensor, s: List[int], p: List[int], d: List[int], g: int) -> Tensor:
                    return torch.conv2d(x, w, b, s, p, d, g)

                def forward(x: Tensor, w: List[Tensor]) -> Tensor:

                """ + _body.ToString();
        }
    }
}
