using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Runs;

/// <summary>
/// What a checkpoint says about its weights, stored as safetensors string metadata next to the torchvision-named
/// tensors: the model name and full <see cref="ResNetConfig"/> (so any variant can be rebuilt), the class names, the
/// normalisation, the input size and the epoch it was taken at.
/// </summary>
public sealed record CheckpointInfo(string Model, ResNetConfig Config, IReadOnlyList<string> Classes, float[] Mean, float[] Std,
    InputShape InputSize, int Epoch, double? ValTop1 = null);

/// <summary>Saves and loads model checkpoints (<c>best.safetensors</c>, <c>last.safetensors</c>).</summary>
public static class Checkpoint
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes the model's state_dict with <paramref name="info"/> as metadata, atomically.</summary>
    public static void Save(string path, nn.Module model, CheckpointInfo info, IReadOnlyDictionary<string, string>? extra = null)
    {
        using var weights = WeightLoading.StateDict(model);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "resnetsharp-checkpoint",
            ["model"] = info.Model,
            ["config"] = JsonSerializer.Serialize(info.Config, Json),
            ["classes"] = JsonSerializer.Serialize(info.Classes),
            ["mean"] = JsonSerializer.Serialize(info.Mean),
            ["std"] = JsonSerializer.Serialize(info.Std),
            ["input_size"] = info.InputSize.ToString(),
            ["epoch"] = info.Epoch.ToString(CultureInfo.InvariantCulture),
        };
        if (info.ValTop1 is { } top1) metadata["val_top1"] = top1.ToString("R", CultureInfo.InvariantCulture);
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) metadata[k] = v;
        SafeTensors.Save(path, weights.Tensors, metadata);
    }

    /// <summary>Reads a checkpoint's metadata and rebuilds the model with its weights on <paramref name="device"/>, in eval mode.</summary>
    public static (ResNet Model, CheckpointInfo Info) Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new ResNetSharpException($"checkpoint not found: '{path}'. Check the path (training writes best.safetensors and last.safetensors in its TrainOptions.OutDir directory).");
        using var file = SafeTensors.Load(path);
        var info = ReadInfo(path, file.Metadata);
        var model = new ResNet(info.Config);
        try
        {
            WeightLoading.LoadInto(model, file.Tensors, strict: true);
            if (device is not null) model.to(device);
            model.eval();
            return (model, info);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static CheckpointInfo ReadInfo(string path, IReadOnlyDictionary<string, string> m)
    {
        string Get(string key) => m.TryGetValue(key, out var v) ? v
            : throw new ResNetSharpException($"'{path}' has no '{key}' metadata, so it is not a ResNetSharp checkpoint: for bare weights use ModelSource.Model NAME with ModelSource.Weights FILE.");
        try
        {
            return new CheckpointInfo(
                Get("model"),
                JsonSerializer.Deserialize<ResNetConfig>(Get("config"), Json)!,
                JsonSerializer.Deserialize<string[]>(Get("classes"))!,
                JsonSerializer.Deserialize<float[]>(Get("mean"))!,
                JsonSerializer.Deserialize<float[]>(Get("std"))!,
                InputShape.Parse(Get("input_size")),
                int.Parse(Get("epoch"), CultureInfo.InvariantCulture),
                m.TryGetValue("val_top1", out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : null);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ResNetSharpException($"'{path}' has damaged checkpoint metadata ({e.Message}): re-save it from training.");
        }
    }
}
