using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using Google.Protobuf;
using ResNetSharp.Interop.Onnx.Proto;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.Quantization;

/// <summary>A quantized ONNX model and what ONNX Runtime makes of it.</summary>
/// <param name="Proto">The QDQ model with its ResNetSharp metadata (<see cref="OnnxModelInfo"/>).</param>
/// <param name="Report">Operators that run in int8 and in fp32 after ONNX Runtime's fusions.</param>
/// <param name="ImagesUsed">Calibration images actually used.</param>
public sealed record QuantizedModel(ModelProto Proto, QuantizationReport Report, int ImagesUsed)
{
    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => OnnxModelFile.Save(Proto, path);
}

/// <summary>
/// Calibrated post-training int8 quantization in ONNX Runtime's QDQ format (int8 symmetric weights; uint8 activations
/// by default, U8S8, or int8, S8S8: see <see cref="QuantizeOptions.UnsignedActivations"/>): the model is
/// exported to ONNX, batch norms are folded into the convolutions (<see cref="GraphFolding"/>), activation ranges are
/// measured on calibration images (<see cref="CalibrationMethod"/>), and QuantizeLinear/DequantizeLinear pairs are
/// placed so that ONNX Runtime fuses convolutions, residual adds, pooling and the classifier into integer kernels
/// (<see cref="QdqPlan"/>).
/// </summary>
public static class Int8Quantizer
{
    /// <summary>
    /// Quantizes a classifier; <paramref name="calibration"/> gives float [B,C,H,W] CPU batches preprocessed as for
    /// evaluation (enumerated once, or twice for the histogram methods); <paramref name="progress"/> gets
    /// (images done, images to do) counting every pass.
    /// </summary>
    public static QuantizedModel Quantize(ResNet model, OnnxModelInfo info, IEnumerable<Tensor> calibration, QuantizeOptions options,
        IProgress<(int Done, int Total)>? progress = null)
    {
        if (model.Config.Head != HeadKind.Classifier)
            throw new ResNetSharpException("the model has no classifier (fc), so it cannot be quantized as a classifier model file: give a model with a classification head.");
        if (model.Config.InChannels != info.Input.Channels)
            throw new ResNetSharpException($"the model takes {model.Config.InChannels}-channel images but its description says {info.Input.Channels}: give the matching input size.");
        model.eval();
        return Quantize(OnnxExport.Build(model, new OnnxExportOptions { DynamicBatch = true }), info, calibration, options, progress);
    }

    /// <summary>Quantizes an fp32 ONNX classifier as written by <see cref="OnnxExport"/> (see the other overload).</summary>
    internal static QuantizedModel Quantize(ModelProto fp32, OnnxModelInfo info, IEnumerable<Tensor> calibration, QuantizeOptions options,
        IProgress<(int Done, int Total)>? progress = null)
    {
        options.Check();
        var folded = fp32.Clone();
        GraphFolding.FoldBatchNorms(folded.Graph);
        var plan = QdqPlan.Make(folded.Graph, options.KeepFp32);
        int passes = options.Method == CalibrationMethod.MinMax ? 1 : 2;
        Action<int>? report = progress is null ? null : done => progress.Report((done, passes * options.CalibrationImages));
        var (ranges, images) = Calibrator.Measure(folded, [.. plan.Calibrated], calibration, options, info.Input.Channels, report);

        var activations = new Dictionary<string, QuantParams>();
        foreach (var v in plan.Values)
        {
            if (plan.SameAs.TryGetValue(v, out var source)) activations[v] = activations[source];
            else
            {
                var (lo, hi) = ranges[v].Range(options.Method, options.Percentile);
                activations[v] = QuantParams.Asymmetric(lo, hi, options.UnsignedActivations);
            }
        }
        QdqWriter.Write(plan, activations, options.PerChannel);
        var quantized = folded.Clone();
        quantized.Graph = plan.Graph;
        (info with { Quantization = options.Describe(images) }).WriteTo(quantized);
        return new QuantizedModel(quantized, QuantizationReport.Of(quantized.ToByteArray()), images);
    }
}
