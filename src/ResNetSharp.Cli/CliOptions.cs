using System.CommandLine;
using ResNetSharp.Data.Images;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Runtime;

namespace ResNetSharp.Cli;

/// <summary>Options that several commands share, so each is spelled and described once.</summary>
internal static class CliOptions
{
    /// <summary><c>--device auto|cpu|cuda|cuda:N</c> (default auto); resolve the value with <see cref="Devices.Resolve"/>.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = $"Where to run: {Devices.Forms}. auto picks CUDA when it is available.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary><c>--fused</c>: evaluate or predict through <c>FusedResNet</c>, the inference fast path.</summary>
    public static Option<bool> Fused() => new("--fused")
    {
        Description = "The inference fast path: batch norm folded into the convolutions, the network one TorchScript function (cuDNN fused conv + add + ReLU on CUDA). Same results within rounding; post-activation models.",
    };

    /// <summary><c>--engine auto|torch|onnxruntime</c> (default auto: torch on CUDA, onnxruntime on the CPU).</summary>
    public static Option<string> Engine() => new("--engine")
    {
        Description = $"What runs the forward pass: {InferenceEngines.Forms}. auto: torch on CUDA, ONNX Runtime on the CPU (faster there).",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The engine settings from <c>--engine</c> and <c>--fused</c>; <c>--fused</c> implies torch.</summary>
    public static EngineSettings EngineSettings(ParseResult result, Option<string> engine, Option<bool> fused)
    {
        var kind = InferenceEngines.Parse(result.GetValue(engine)!);
        if (result.GetValue(fused) && kind == EngineKind.OnnxRuntime)
            throw new ResNetSharpException("--fused is TorchSharp's fast path: use it with --engine torch (or auto), not onnxruntime.");
        return new EngineSettings(result.GetValue(fused) ? EngineKind.Torch : kind, result.GetValue(fused));
    }

    /// <summary>
    /// Adds <c>--max-pixels N</c> (default PIL's 178,956,970) to <paramref name="command"/>: the decompression-bomb
    /// guard of the image decoders; apply it with <see cref="LimitPixels"/>.
    /// </summary>
    public static Option<long> MaxPixels(Command command)
    {
        var option = new Option<long>("--max-pixels")
        {
            Description = "Largest image (width x height) decoded; larger headers are an error before any pixel is allocated, and images over half of it a warning on stderr (PIL's limits).",
            DefaultValueFactory = _ => 2 * ImageFiles.WarnPixels,
        };
        command.Options.Add(option);
        return option;
    }

    /// <summary>Sets the decoders' pixel limit from <c>--max-pixels</c>, with large-image warnings on the invocation's stderr.</summary>
    public static void LimitPixels(ParseResult result, Option<long> maxPixels)
    {
        long limit = result.GetValue(maxPixels);
        if (limit < 1) throw new ResNetSharpException($"--max-pixels must be at least 1, not {limit}.");
        var error = result.InvocationConfiguration.Error;
        (ImageFiles.MaxPixels, ImageFiles.Warn) = (limit, message => error.WriteLine($"warning: {message}"));
    }

    /// <summary>A <c>--weights</c> value as a local file, downloading published weights first (said on stderr).</summary>
    public static string WeightsFile(ParseResult result, string model, string weights) =>
        PretrainedWeights.Resolve(model, weights, message => result.InvocationConfiguration.Error.WriteLine(message));
}
