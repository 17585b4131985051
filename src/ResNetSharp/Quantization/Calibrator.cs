using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ResNetSharp.Interop.Onnx.Proto;
using static TorchSharp.torch;

namespace ResNetSharp.Quantization;

/// <summary>
/// Measures activation ranges by running the fp32 graph in ONNX Runtime with the wanted values added as extra
/// graph outputs, over the calibration batches (once for min/max, once more for the histogram methods).
/// </summary>
internal static class Calibrator
{
    /// <summary>
    /// The ranges of <paramref name="values"/> (node outputs of <paramref name="fp32"/>, or its input) over the first
    /// <see cref="QuantizeOptions.CalibrationImages"/> images of <paramref name="batches"/>, float [B,C,H,W] on the
    /// CPU, enumerated once per pass, and how many images there were; <paramref name="progress"/> gets the images done.
    /// </summary>
    public static (Dictionary<string, ActivationRange> Ranges, int Images) Measure(ModelProto fp32, IReadOnlyList<string> values,
        IEnumerable<Tensor> batches, QuantizeOptions settings, int channels, Action<int>? progress)
    {
        var model = fp32.Clone();
        var outputs = model.Graph.Output.Select(o => o.Name).ToHashSet();
        string input = model.Graph.Input[0].Name;
        foreach (var v in values.Where(v => v != input && !outputs.Contains(v)))
            model.Graph.Output.Add(new ValueInfoProto { Name = v, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, IntraOpNumThreads = Environment.ProcessorCount };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var run = new RunOptions();
        var ranges = values.ToDictionary(v => v, _ => new ActivationRange());
        var names = values.Where(v => v != input).ToArray();
        int passes = settings.Method == CalibrationMethod.MinMax ? 1 : 2, done = 0, images = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            images = 0;
            foreach (var batch in batches)
            {
                if (images == settings.CalibrationImages) break;
                CheckShape(batch, channels);
                using var scope = NewDisposeScope();
                int rows = (int)Math.Min(batch.shape[0], settings.CalibrationImages - images);
                long[] shape = [rows, .. batch.shape[1..]];
                var data = batch.narrow(0, 0, rows).cpu().contiguous().data<float>().ToArray();
                using var x = OrtValue.CreateTensorValueFromMemory(data, shape);
                using var results = session.Run(run, [input], [x], names);
                for (int i = 0; i < names.Length; i++) Observe(ranges[names[i]], results[i].GetTensorDataAsSpan<float>(), pass);
                if (ranges.TryGetValue(input, out var inputRange)) Observe(inputRange, data, pass);
                images += rows;
                progress?.Invoke(done += rows);
            }
        }
        if (images == 0) throw new ResNetSharpException("the calibration set has no images: give a data set with at least one training image.");
        return (ranges, images);
    }

    private static void CheckShape(Tensor batch, int channels)
    {
        if (batch.dim() != 4 || batch.dtype != ScalarType.Float32)
            throw new ResNetSharpException($"calibration batches must be float32 [batch, channels, height, width], not {batch.dtype} [{string.Join(", ", batch.shape)}].");
        if (batch.shape[1] != channels)
            throw new ResNetSharpException($"the calibration images have {batch.shape[1]} channel(s) but the model takes {channels}: calibrate on images of the kind the model was trained on.");
    }

    private static void Observe(ActivationRange range, ReadOnlySpan<float> values, int pass)
    {
        if (pass == 0) range.ObserveMinMax(values);
        else range.ObserveHistogram(values);
    }
}
