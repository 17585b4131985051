using System.Reflection;
using System.Text.Json;
using ResNetSharp.Settings;

namespace ResNetSharp.Serving.Repository;

/// <summary>
/// A repository model's <c>config.json</c>: the per-model subset of <see cref="ResNetClassifierOptions"/>, keyed by
/// its property names (any case), e.g. <c>{"MaxBatch": 16, "MaxDelayMs": 2, "Engine": "onnxruntime"}</c>; a key not
/// set keeps the server's value. <see cref="Model"/> names the architecture of bare weights (<c>*.pth</c>). An unknown
/// key, a value of the wrong type, or a file that is no JSON object is one error naming the file and the key.
/// </summary>
internal sealed class ModelConfig
{
    /// <summary>Largest config file read (64 KiB): it holds a handful of keys.</summary>
    private const int MaxBytes = 64 * 1024;

    private static readonly PropertyInfo[] Keys = typeof(ModelConfig).GetProperties();

    /// <summary>The named model (e.g. <c>resnet50</c>) whose weights the folder holds; with labels.txt for its class names.</summary>
    public string? Model { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.Engine"/>.</summary>
    public string? Engine { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.Device"/>.</summary>
    public string? Device { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.Precision"/>.</summary>
    public string? Precision { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.Threads"/>: the model's intra-op threads, so that several models share the cores.</summary>
    public int? Threads { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.MaxBatch"/>.</summary>
    public int? MaxBatch { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.MaxDelayMs"/>.</summary>
    public double? MaxDelayMs { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.MaxQueue"/>.</summary>
    public int? MaxQueue { get; set; }
    /// <summary><see cref="ResNetClassifierOptions.TopK"/>.</summary>
    public int? TopK { get; set; }

    /// <summary>The config at <paramref name="path"/>; every key unset when the file does not exist.</summary>
    public static ModelConfig Read(string path)
    {
        var config = new ModelConfig();
        if (!File.Exists(path)) return config;
        string example = """write it as a JSON object such as {"MaxBatch": 16, "MaxDelayMs": 2, "Engine": "onnxruntime"}""";
        if (new FileInfo(path).Length > MaxBytes) throw new ResNetSharpException($"'{path}' is over {MaxBytes / 1024} KiB, too large for a model's config: {example}.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new ResNetSharpException($"'{path}' is not valid JSON ({e.Message}): {example}.");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ResNetSharpException($"'{path}' is not a JSON object: {example}.");
            foreach (var entry in document.RootElement.EnumerateObject()) config.Set(path, entry);
        }
        return config;
    }

    private void Set(string path, JsonProperty entry)
    {
        var key = Keys.FirstOrDefault(k => string.Equals(k.Name, entry.Name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ResNetSharpException($"'{path}': unknown key '{Shorten(entry.Name)}': a model's config.json takes {string.Join(", ", Keys.Select(k => k.Name))}.");
        try
        {
            key.SetValue(this, entry.Value.Deserialize(key.PropertyType));
        }
        catch (JsonException)
        {
            string kind = Nullable.GetUnderlyingType(key.PropertyType) is { } t ? (t == typeof(int) ? "a whole number" : "a number") : "a string";
            throw new ResNetSharpException($"'{path}': key '{entry.Name}' must be {kind}, not {Shorten(entry.Value.GetRawText())}.");
        }
    }

    /// <summary>A value or key as an error quotes it: at most 40 characters.</summary>
    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;

    /// <summary><paramref name="message"/> (of <see cref="ResNetClassifierOptions.Validate"/>) with the flags of these keys written as config.json keys.</summary>
    public static string KeysForFlags(string message) =>
        Setting.Of<ResNetClassifierOptions>().Where(s => s.Property != nameof(Model) && Keys.Any(k => k.Name == s.Property))
            .Aggregate(message, (text, s) => text.Replace(s.Option, $"{ModelRepository.ConfigFile} key '{s.Property}'"));

    /// <summary>Sets in <paramref name="options"/> (one model's copy of the server's) each key this config sets.</summary>
    public void ApplyTo(ResNetClassifierOptions options)
    {
        options.Engine = Engine ?? options.Engine;
        options.Device = Device ?? options.Device;
        options.Precision = Precision ?? options.Precision;
        options.Threads = Threads ?? options.Threads;
        options.MaxBatch = MaxBatch ?? options.MaxBatch;
        options.MaxDelayMs = MaxDelayMs ?? options.MaxDelayMs;
        options.MaxQueue = MaxQueue ?? options.MaxQueue;
        options.TopK = TopK ?? options.TopK;
    }
}
