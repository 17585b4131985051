using Microsoft.ML.Data;

namespace MlNetInterop;

/// <summary>One image as an ML.NET row: normalised pixels [3, 32, 32] flattened, in the ONNX model's <c>input</c> column.</summary>
public sealed class ImageRow
{
    /// <summary>The pixels, channels first.</summary>
    [ColumnName("input"), VectorType(3 * 32 * 32)]
    public float[] Pixels { get; set; } = [];
}

/// <summary>A scored row: the model's <c>output</c> column, one logit per class.</summary>
public sealed class ScoredRow
{
    /// <summary>The logits.</summary>
    [ColumnName("output"), VectorType(10)]
    public float[] Logits { get; set; } = [];
}
