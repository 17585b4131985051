namespace ResNetSharp.Inference.Engines;

/// <summary>
/// Runs a classifier's forward pass: a batch of preprocessed images in, logits out, both float32 and row-major on
/// the host. Implementations: <see cref="TorchEngine"/> (TorchSharp) and <see cref="OnnxRuntimeEngine"/>.
/// One call at a time (the server's batcher and the predictor both call from one thread).
/// </summary>
public interface IInferenceEngine : IDisposable
{
    /// <summary>The engine's name as the CLI spells it: <c>torch</c> or <c>onnxruntime</c>.</summary>
    string Name { get; }

    /// <summary>The device it runs on, e.g. <c>cpu</c> or <c>cuda:0</c>.</summary>
    string Device { get; }

    /// <summary>The logits [batch, classes] of <paramref name="input"/>, float32 of <paramref name="shape"/> [batch, C, H, W].</summary>
    float[] Logits(float[] input, long[] shape);
}
