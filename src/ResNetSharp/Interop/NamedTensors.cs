using static TorchSharp.torch;

namespace ResNetSharp.Interop;

/// <summary>Named CPU tensors (read from a weight file, or copied from a model's state_dict) with string metadata. Disposing frees the tensors.</summary>
public sealed class NamedTensors(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) : IDisposable
{
    /// <summary>The tensors by name, in file (or state_dict) order.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; } = tensors;

    /// <summary>String metadata (safetensors' <c>__metadata__</c>; empty for PyTorch files and state_dict copies).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
