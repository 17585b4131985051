using ResNetSharp.Data.Images;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;

namespace ResNetSharp.Inference;

/// <summary>
/// The settings every command that runs a model shares, declared once and composed into their options (as
/// <see cref="SettingsGroupAttribute"/>): the device, the batch size and layout, the decoders' pixel limit, and JSON
/// output. A command that does not use one leaves its flag out.
/// </summary>
public sealed record InferenceSettings
{
    /// <summary><c>auto</c> (CUDA when available), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (<see cref="Devices.Resolve"/>).</summary>
    [Setting("device", Devices.Description)]
    public string Device { get; init; } = "auto";

    /// <summary>Images per forward pass (default 32).</summary>
    [Setting("batch-size", "Images per forward pass.")]
    public int BatchSize { get; init; } = 32;

    /// <summary>Inputs and convolution weights in the channels_last (NHWC) layout (<see cref="ChannelsLast"/>, default on).</summary>
    [Setting("channels-last", "Inputs and convolution weights in the channels_last (NHWC) layout, faster on CPUs and GPUs; '--channels-last false' for NCHW.")]
    public bool ChannelsLast { get; init; } = true;

    /// <summary>The decoders' pixel limit (<see cref="ImageFiles.MaxPixels"/>; default PIL's 178,956,970).</summary>
    [Setting("max-pixels", "Largest image (width x height) decoded; larger headers are an error before any pixel is allocated, and images over half of it a warning on stderr (PIL's limits).")]
    public long MaxPixels { get; init; } = 2 * ImageFiles.WarnPixels;

    /// <summary>Print JSON instead of text (what a command prints; the library ignores it).</summary>
    [Setting("json", "Print JSON instead of text: one document (eval, summary), or one line per image (predict) or per image and class (explain).")]
    public bool Json { get; init; }

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting; returns these settings.</summary>
    public InferenceSettings Validate()
    {
        CheckBatchSize(BatchSize);
        if (MaxPixels < 1) throw new ResNetSharpException($"InferenceSettings.MaxPixels must be at least 1, not {MaxPixels}.");
        return this;
    }

    /// <summary>The one check of a batch size (<see cref="BatchSize"/>, and <see cref="Predictor.Predict(IEnumerable{string}, int, int)"/>'s).</summary>
    public static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1) throw new ResNetSharpException($"InferenceSettings.BatchSize must be at least 1, not {batchSize}.");
    }
}
