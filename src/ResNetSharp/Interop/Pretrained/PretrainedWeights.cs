using System.Security.Cryptography;
using ResNetSharp.IO;

namespace ResNetSharp.Interop.Pretrained;

/// <summary>
/// torchvision's ImageNet weights for the named models, as <c>--weights IMAGENET1K_V2</c> (or <c>IMAGENET1K_V1</c>,
/// <c>DEFAULT</c>: V2 where it exists, or <c>imagenet</c> as Keras spells it) and <c>PretrainedWeights.Fetch</c>: downloaded
/// once from download.pytorch.org into torch.hub's cache (<c>$TORCH_HOME/hub/checkpoints</c>, default
/// <c>~/.cache/torch/hub/checkpoints</c>, so files PyTorch already fetched are reused), checked against the SHA-256
/// prefix in the file name as torch.hub does, and written atomically. RESNETSHARP_WEIGHTS_URL overrides the base URL
/// (mirrors, tests).
/// </summary>
public static class PretrainedWeights
{
    /// <summary>Help text for the weights of a named model: a file, or torchvision's published weights by tag.</summary>
    public const string Forms = ".safetensors, .pth or .pt (torchvision's state_dict names), or torchvision's ImageNet weights: DEFAULT, IMAGENET1K_V1, IMAGENET1K_V2 (downloaded once into torch.hub's cache)";

    /// <summary>Where torchvision publishes its weight files (<c>https://download.pytorch.org/models/</c>).</summary>
    public const string DefaultBaseUrl = "https://download.pytorch.org/models/";
    /// <summary>The environment variable that replaces <see cref="DefaultBaseUrl"/> (a mirror, or a loopback server in tests).</summary>
    public const string BaseUrlVariable = "RESNETSHARP_WEIGHTS_URL";

    /// <summary>Every published entry (torchvision.models.resnet's weight enums), V1 before V2 per model.</summary>
    public static IReadOnlyList<PretrainedEntry> All { get; } =
    [
        new("resnet18", "IMAGENET1K_V1", "resnet18-f37072fd.pth", 256, 69.758),
        new("resnet34", "IMAGENET1K_V1", "resnet34-b627a593.pth", 256, 73.314),
        new("resnet50", "IMAGENET1K_V1", "resnet50-0676ba61.pth", 256, 76.130),
        new("resnet50", "IMAGENET1K_V2", "resnet50-11ad3fa6.pth", 232, 80.858),
        new("resnet101", "IMAGENET1K_V1", "resnet101-63fe2227.pth", 256, 77.374),
        new("resnet101", "IMAGENET1K_V2", "resnet101-cd907fc2.pth", 232, 81.886),
        new("resnet152", "IMAGENET1K_V1", "resnet152-394f9c45.pth", 256, 78.312),
        new("resnet152", "IMAGENET1K_V2", "resnet152-f82ba261.pth", 232, 82.284),
        new("resnext50_32x4d", "IMAGENET1K_V1", "resnext50_32x4d-7cdf4587.pth", 256, 77.618),
        new("resnext50_32x4d", "IMAGENET1K_V2", "resnext50_32x4d-1a0047aa.pth", 232, 81.198),
        new("resnext101_32x8d", "IMAGENET1K_V1", "resnext101_32x8d-8ba56ff5.pth", 256, 79.312),
        new("resnext101_32x8d", "IMAGENET1K_V2", "resnext101_32x8d-110c445d.pth", 232, 82.834),
        new("wide_resnet50_2", "IMAGENET1K_V1", "wide_resnet50_2-95faca4d.pth", 256, 78.468),
        new("wide_resnet50_2", "IMAGENET1K_V2", "wide_resnet50_2-9ba9bcbe.pth", 232, 81.602),
        new("wide_resnet101_2", "IMAGENET1K_V1", "wide_resnet101_2-32ee1156.pth", 256, 78.848),
        new("wide_resnet101_2", "IMAGENET1K_V2", "wide_resnet101_2-d733dc28.pth", 232, 82.510),
    ];

    /// <summary>Whether <paramref name="weights"/> names published weights (DEFAULT, imagenet, IMAGENET1K_Vn) rather than a file.</summary>
    public static bool IsTag(string weights) => IsNewest(weights) || weights.StartsWith("IMAGENET1K_", StringComparison.OrdinalIgnoreCase);

    /// <summary>DEFAULT (torchvision's spelling) or imagenet (Keras'): the newest weights of a model.</summary>
    private static bool IsNewest(string tag) =>
        tag.Equals("DEFAULT", StringComparison.OrdinalIgnoreCase) || tag.Equals("imagenet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The entry for <paramref name="model"/> and <paramref name="tag"/> (DEFAULT / imagenet: the newest).</summary>
    public static PretrainedEntry Find(string model, string tag = "DEFAULT")
    {
        var entries = All.Where(e => e.Model == model).ToList();
        if (entries.Count == 0)
            throw new ResNetSharpException($"torchvision publishes no ImageNet weights for '{model}'; models with weights: {string.Join(", ", All.Select(e => e.Model).Distinct())}.");
        return IsNewest(tag) ? entries[^1] : entries.FirstOrDefault(e => e.Tag.Equals(tag, StringComparison.OrdinalIgnoreCase))
            ?? throw new ResNetSharpException($"'{model}' has no weights '{tag}'; it has {string.Join(", ", entries.Select(e => e.Tag))} (DEFAULT = {entries[^1].Tag}).");
    }

    /// <summary>
    /// The local path of <paramref name="weights"/> for <paramref name="model"/>: an existing file as it is, a tag's
    /// file fetched into the cache (<paramref name="downloading"/> is told the URL first), anything else unchanged (so
    /// loading it reports the missing file).
    /// </summary>
    public static string Resolve(string model, string weights, Action<string>? downloading = null) =>
        File.Exists(weights) || !IsTag(weights) ? weights : Fetch(Find(model, weights), downloading: downloading);

    /// <summary>The entry whose file <paramref name="path"/> is (by file name, as torch.hub caches it), or null.</summary>
    public static PretrainedEntry? ForFile(string path) => All.FirstOrDefault(e => e.FileName == Path.GetFileName(path));

    /// <summary>torch.hub's checkpoint cache: <c>$TORCH_HOME/hub/checkpoints</c>, TORCH_HOME defaulting to <c>$XDG_CACHE_HOME/torch</c> or <c>~/.cache/torch</c>.</summary>
    public static string CacheDirectory()
    {
        string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        string torchHome = Env("TORCH_HOME")
            ?? Path.Combine(Env("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "torch");
        return Path.Combine(torchHome, "hub", "checkpoints");
    }

    /// <summary>The entry's file in <paramref name="cacheDir"/> (default <see cref="CacheDirectory"/>), downloaded and checked first if it is not there yet.</summary>
    public static string Fetch(PretrainedEntry entry, string? cacheDir = null, string? baseUrl = null, Action<string>? downloading = null)
    {
        cacheDir ??= CacheDirectory();
        string path = Path.Combine(cacheDir, entry.FileName);
        if (File.Exists(path)) return path;
        var url = HttpDownload.Resolve(baseUrl ?? Environment.GetEnvironmentVariable(BaseUrlVariable) ?? DefaultBaseUrl, entry.FileName);
        downloading?.Invoke($"downloading {url} to {path}");
        string temp = Path.Combine(cacheDir, $".{entry.FileName}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(cacheDir);
            string sha256 = HttpDownload.ToFile(url, temp, HashAlgorithmName.SHA256);
            if (!sha256.StartsWith(entry.Sha256Prefix, StringComparison.Ordinal))
                throw new ResNetSharpException($"downloaded {url} has SHA-256 {sha256}, which does not start with {entry.Sha256Prefix} as its name says: the download is corrupt; try again.");
            File.Move(temp, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException or TaskCanceledException)
        {
            throw new ResNetSharpException($"could not download {url} into '{cacheDir}': {e.Message}; check the network and disk space, or download the file by hand and pass its path to ModelSource.Weights.", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
