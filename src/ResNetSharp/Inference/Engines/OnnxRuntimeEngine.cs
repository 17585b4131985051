using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;

namespace ResNetSharp.Inference.Engines;

/// <summary>
/// The forward pass in ONNX Runtime on the CPU: the model exported in memory by <see cref="OnnxExport"/> with a
/// dynamic batch, all graph optimisations on, intra-op threads as given (default: the machine's cores). The ResNet is only read.
/// </summary>
public sealed class OnnxRuntimeEngine : IInferenceEngine
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly int _classes;

    /// <summary>Exports <paramref name="model"/> to ONNX in memory (dynamic batch) and opens an ONNX Runtime session on it.</summary>
    /// <param name="model">A classifier (a model with <c>fc</c>); it is only read.</param>
    /// <param name="threads">Intra-op threads (<see cref="EngineSettings.Threads"/>); 0: the machine's cores.</param>
    /// <exception cref="ResNetSharpException">The model is a feature extractor without a classifier head.</exception>
    public OnnxRuntimeEngine(ResNet model, int threads = 0) : this(Export(model), model.Config.NumClasses, threads)
    {
    }

    /// <summary>
    /// An engine for an ONNX classifier (input <c>input</c>, output <c>output</c> of <paramref name="classes"/> logits),
    /// e.g. an int8 file; <paramref name="threads"/> intra-op threads (0: the machine's cores).
    /// </summary>
    internal OnnxRuntimeEngine(byte[] onnx, int classes, int threads = 0)
    {
        _classes = classes;
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = Threads,
        };
        _session = new InferenceSession(onnx, options);
    }

    private static byte[] Export(ResNet model) => model.Config.Head == HeadKind.Classifier
        ? OnnxExport.Build(model, new OnnxExportOptions { DynamicBatch = true }).ToByteArray()
        : throw new ResNetSharpException("the onnxruntime engine needs a classifier (a model with fc): use EngineSettings.Kind torch for feature extractors.");

    /// <inheritdoc/>
    public string Name => "onnxruntime";
    /// <inheritdoc/>
    public string Device => "cpu";

    /// <summary>The session's intra-op threads (<see cref="EngineSettings.Threads"/>, or the machine's cores for 0).</summary>
    public int Threads { get; }

    /// <inheritdoc/>
    public float[] Logits(float[] input, long[] shape)
    {
        long batch = shape[0];
        using var x = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var results = _session.Run(_run, ["input"], [x], ["output"]);
        var logits = results[0].GetTensorDataAsSpan<float>();
        return logits.Length == batch * _classes ? logits.ToArray()
            : throw new InvalidOperationException($"onnxruntime returned {logits.Length} logits for {batch} x {_classes}.");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
    }
}
