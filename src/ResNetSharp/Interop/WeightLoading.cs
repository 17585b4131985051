using ResNetSharp.Interop.Torch;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>A key whose stored shape differs from the model's.</summary>
public sealed record ShapeMismatch(string Key, long[] FileShape, long[] ModelShape)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Key} (file [{string.Join(", ", FileShape)}], model [{string.Join(", ", ModelShape)}])";
}

/// <summary>What <see cref="WeightLoading.LoadInto"/> did: keys loaded, and keys missing, unexpected or of the wrong shape.</summary>
public sealed record WeightLoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<ShapeMismatch> Mismatched)
{
    /// <summary>True when every model key was loaded from a file key of the same shape and the file had nothing else.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>One line naming the problems (at most a few keys of each kind), or "all N keys loaded".</summary>
    public string Describe()
    {
        if (IsExact) return $"all {Loaded.Count} keys loaded";
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"missing from the file: {List(Missing)}");
        if (Unexpected.Count > 0) parts.Add($"not in the model: {List(Unexpected)}");
        if (Mismatched.Count > 0) parts.Add($"shape mismatch: {List(Mismatched.Select(m => m.ToString()).ToList())}");
        return string.Join("; ", parts);
    }

    private static string List(IReadOnlyList<string> keys, int shown = 8) =>
        string.Join(", ", keys.Take(shown)) + (keys.Count > shown ? $" and {keys.Count - shown} more ({keys.Count} in all)" : "");
}

/// <summary>Loads weights (parameters and buffers) into a model from tensors or from a .safetensors / .pth / .pt file, and takes state_dict copies for saving.</summary>
public static class WeightLoading
{
    /// <summary>
    /// Copies <paramref name="weights"/> into the model's parameters and buffers (running_mean/var, num_batches_tracked)
    /// by state_dict name, converting dtype (e.g. fp16/bf16 to fp32) and device, without recording gradients.
    /// Strict mode throws one error listing every missing, unexpected and mismatched key and loads nothing;
    /// non-strict mode loads the keys whose shapes match (e.g. all but a replaced classifier head) and reports the rest.
    /// BatchNorm <c>num_batches_tracked</c> counters absent from the file are not reported missing (older torchvision weights lack them).
    /// </summary>
    public static WeightLoadReport LoadInto(nn.Module model, IReadOnlyDictionary<string, Tensor> weights, bool strict = true)
    {
        var targets = model.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        var mismatched = new List<ShapeMismatch>();
        foreach (var (key, target) in targets)
        {
            if (!weights.TryGetValue(key, out var source))
            {
                // Like PyTorch's BatchNorm, accept state_dicts saved before num_batches_tracked existed (torchvision's
                // older published weights): the counter keeps its value; it only matters for momentum=None.
                if (!key.EndsWith(".num_batches_tracked")) missing.Add(key);
            }
            else if (!source.shape.SequenceEqual(target.shape)) mismatched.Add(new ShapeMismatch(key, source.shape, target.shape));
            else loaded.Add(key);
        }
        var unexpected = weights.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var report = new WeightLoadReport(loaded, missing, unexpected, mismatched);
        if (strict && !report.IsExact)
            throw new ResNetSharpException($"the weights do not match the model ({report.Describe()}): check the model name and class count, or load non-strictly to fine-tune a new head.");

        using var _ = no_grad();
        foreach (var key in loaded) targets[key].copy_(weights[key]);
        return report;
    }

    /// <summary>Reads a weight file (by extension: .safetensors, .pth or .pt) and loads it into the model with <see cref="LoadInto"/>.</summary>
    public static WeightLoadReport LoadFile(nn.Module model, string path, bool strict = true)
    {
        using var file = ReadFile(path);
        return LoadInto(model, file.Tensors, strict);
    }

    /// <summary>
    /// Builds the named model (see <see cref="ModelZoo"/>; null: the name in the file's <c>model</c> metadata, as
    /// ResNetSharp checkpoints carry) with the input channels of the file's <c>conv1.weight</c> and the class count of
    /// its <c>fc.weight</c> (no classifier in the file: an average-pool head), loads the file strictly and returns the
    /// model in eval mode. For <c>resnet predict/export --model NAME --weights FILE</c> and <c>--checkpoint FILE</c>.
    /// </summary>
    public static ResNet LoadModel(string? modelName, string path)
    {
        using var file = ReadFile(path);
        modelName ??= file.Metadata.GetValueOrDefault("model")
            ?? throw new ResNetSharpException($"'{path}' does not say which model it holds (no 'model' metadata): give ModelSource.Model NAME with ModelSource.Weights FILE instead.");
        var config = ModelZoo.Config(modelName);
        if (file.Tensors.TryGetValue("conv1.weight", out var conv1) && conv1.dim() == 4) config = config with { InChannels = (int)conv1.shape[1] };
        config = file.Tensors.TryGetValue("fc.weight", out var fc)
            ? config with { NumClasses = (int)fc.shape[0], Head = HeadKind.Classifier }
            : config with { Head = config.Head == HeadKind.Classifier ? HeadKind.AvgPool : config.Head };
        var model = new ResNet(config);
        try
        {
            LoadInto(model, file.Tensors);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Reads every tensor of a weight file (by extension: .safetensors, .pth or .pt) to the CPU.</summary>
    public static NamedTensors ReadFile(string path)
    {
        if (!File.Exists(path)) throw new ResNetSharpException($"weight file not found: '{path}'. Check the path.");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => SafeTensors.Load(path),
            ".pth" or ".pt" => TorchCheckpoint.Load(path),
            _ => throw new ResNetSharpException($"'{path}' has an unknown weight file extension: use .safetensors, .pth or .pt."),
        };
    }

    /// <summary>The model's state_dict as contiguous, detached CPU copies in state_dict order (parameters, then buffers), e.g. for <c>SafeTensors.Save(path, copy.Tensors)</c>. Dispose it after saving.</summary>
    public static NamedTensors StateDict(nn.Module model)
    {
        var copies = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in model.state_dict()) copies[key] = TensorBytes.ContiguousCpu(tensor).DetachFromDisposeScope();
        return new NamedTensors(copies);
    }
}
