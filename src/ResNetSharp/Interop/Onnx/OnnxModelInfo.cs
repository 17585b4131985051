using System.Globalization;
using System.Text.Json;
using ResNetSharp.Interop.Onnx.Proto;
using ResNetSharp.Models;

namespace ResNetSharp.Interop.Onnx;

/// <summary>
/// What a classifier needs beyond its graph, stored in an ONNX file's <c>metadata_props</c> so that the file is a
/// model file on its own: the architecture's name, class labels, input normalisation, input size, the centre-crop
/// fraction of the eval preprocessing and, for an int8 file, how it was calibrated.
/// </summary>
/// <param name="Model">The architecture's name, e.g. <c>resnet18</c>.</param>
/// <param name="Labels">Class names in class order.</param>
/// <param name="Mean">Per-channel mean subtracted after scaling pixels to [0,1].</param>
/// <param name="Std">Per-channel standard deviation divided by after subtracting the mean.</param>
/// <param name="Input">Channels, height and width of one preprocessed image.</param>
/// <param name="CropFraction">The centre crop's share of the resized image (eval preprocessing).</param>
/// <param name="Quantization">For an int8 file, its calibration settings (JSON); null for fp32.</param>
public sealed record OnnxModelInfo(string Model, IReadOnlyList<string> Labels, float[] Mean, float[] Std, InputShape Input,
    float CropFraction, string? Quantization = null)
{
    private const string Prefix = "resnetsharp.";
    private static readonly string[] Required = ["model", "labels", "mean", "std", "input", "crop_fraction"];

    /// <summary>Replaces the ResNetSharp entries of <paramref name="proto"/>'s metadata with this description.</summary>
    public void WriteTo(ModelProto proto)
    {
        var entries = new Dictionary<string, string>
        {
            ["model"] = Model,
            ["labels"] = JsonSerializer.Serialize(Labels),
            ["mean"] = Floats(Mean),
            ["std"] = Floats(Std),
            ["input"] = Input.ToString(),
            ["crop_fraction"] = CropFraction.ToString("R", CultureInfo.InvariantCulture),
        };
        if (Quantization is not null) entries["quantization"] = Quantization;
        var kept = proto.MetadataProps.Where(e => !e.Key.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        proto.MetadataProps.Clear();
        proto.MetadataProps.AddRange(kept);
        foreach (var (key, value) in entries) proto.MetadataProps.Add(new StringStringEntryProto { Key = Prefix + key, Value = value });
    }

    /// <summary>
    /// The description stored in <paramref name="proto"/> (read from <paramref name="path"/>, named in errors); one
    /// <see cref="ResNetSharpException"/> naming what is missing when the file was not written by ResNetSharp.
    /// </summary>
    public static OnnxModelInfo ReadFrom(ModelProto proto, string path)
    {
        var entries = proto.MetadataProps.Where(e => e.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .GroupBy(e => e.Key[Prefix.Length..]).ToDictionary(g => g.Key, g => g.Last().Value);
        var missing = Required.Where(k => !entries.ContainsKey(k)).ToArray();
        if (missing.Length > 0)
            throw new ResNetSharpException($"'{path}' is not a ResNetSharp model file: its ONNX metadata lacks {string.Join(", ", missing.Select(k => Prefix + k))}. "
                + "Use an ONNX file written by `resnet export` or `resnet quantize`.");
        try
        {
            var labels = JsonSerializer.Deserialize<string[]>(entries["labels"]) ?? [];
            var info = new OnnxModelInfo(entries["model"], labels, ParseFloats(entries["mean"]), ParseFloats(entries["std"]),
                InputShape.Parse(entries["input"]), float.Parse(entries["crop_fraction"], CultureInfo.InvariantCulture),
                entries.GetValueOrDefault("quantization"));
            return info.Check(path);
        }
        catch (Exception e) when (e is FormatException or JsonException or OverflowException)
        {
            throw new ResNetSharpException($"'{path}' has corrupt ResNetSharp metadata ({e.Message}): export the model again.", e);
        }
    }

    private OnnxModelInfo Check(string path)
    {
        int c = Input.Channels;
        if (Mean.Length != c || Std.Length != c || Std.Any(s => s <= 0)
            || Labels.Count == 0 || CropFraction is <= 0 or > 1)
            throw new ResNetSharpException($"'{path}' has inconsistent ResNetSharp metadata (input {Input}, "
                + $"{Mean.Length} means, {Std.Length} stds, {Labels.Count} labels, crop {CropFraction}): export the model again.");
        return this;
    }

    private static string Floats(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static float[] ParseFloats(string text) => [.. text.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
}
