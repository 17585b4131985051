using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>The arithmetic a model computes in: plain fp32, or bf16 mixed precision (see <see cref="Autocast"/>).</summary>
public enum Precision
{
    /// <summary>Everything in fp32.</summary>
    FP32,

    /// <summary>Convolutions and linear layers in bf16; weights, optimizer state, batch-norm statistics and the loss in fp32.</summary>
    BF16,
}

/// <summary>Parsing and the compute dtype of a <see cref="Precision"/>.</summary>
public static class Precisions
{
    /// <summary>The names accepted on the command line.</summary>
    public static readonly string[] Names = ["fp32", "bf16"];

    /// <summary>Parses <c>fp32</c> or <c>bf16</c> (case-insensitive).</summary>
    public static Precision Parse(string text) => text.ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.FP32,
        "bf16" or "bfloat16" => Precision.BF16,
        _ => throw new ResNetSharpException($"unknown precision '{text}': use fp32 or bf16."),
    };

    /// <summary>The dtype convolutions and linear layers compute in.</summary>
    public static ScalarType ComputeType(this Precision precision) =>
        precision == Precision.BF16 ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>The command-line name (<c>fp32</c>, <c>bf16</c>).</summary>
    public static string Name(this Precision precision) => precision == Precision.BF16 ? "bf16" : "fp32";
}
