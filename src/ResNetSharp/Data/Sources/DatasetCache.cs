namespace ResNetSharp.Data.Sources;

/// <summary>
/// Where datasets named without a folder live (<c>--data fashion-mnist</c>): <c>$RESNETSHARP_DATA/NAME</c>, by default
/// <c>$XDG_CACHE_HOME/resnetsharp/datasets/NAME</c> or <c>~/.cache/resnetsharp/datasets/NAME</c>; <c>--download</c>
/// fills it.
/// </summary>
public static class DatasetCache
{
    /// <summary>The environment variable that moves the cache.</summary>
    public const string Variable = "RESNETSHARP_DATA";

    /// <summary>The cache root.</summary>
    public static string Root()
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        return Env(Variable) ?? Path.Combine(
            Env("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "resnetsharp", "datasets");
    }

    /// <summary>The folder of dataset <paramref name="name"/> under <paramref name="root"/> (default <see cref="Root"/>).</summary>
    public static string For(string name, string? root = null) => Path.Combine(root ?? Root(), name);
}
