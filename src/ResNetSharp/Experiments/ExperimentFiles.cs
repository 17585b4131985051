using ResNetSharp.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResNetSharp.Experiments;

/// <summary>Writes experiment outputs whole or not at all: each file is written under a temporary name, then renamed.</summary>
public static class ExperimentFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Creates <paramref name="dir"/> if needed, or throws <see cref="ResNetSharpException"/> naming it and
    /// <paramref name="setting"/>, the <c>Type.Property</c> that gave it (e.g. <c>DegradationOptions.OutDir</c>).
    /// </summary>
    public static string EnsureDirectory(string dir, string setting = "output directory")
    {
        try
        {
            return Directory.CreateDirectory(dir).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ResNetSharpException($"cannot create the output directory '{dir}' ({e.Message}): choose another {setting}.", e);
        }
    }

    /// <summary>Writes <paramref name="node"/> as indented JSON to <paramref name="path"/> atomically.</summary>
    public static void WriteJson(string path, JsonNode node) =>
        AtomicFile.WriteVia(path, tmp => File.WriteAllText(tmp, node.ToJsonString(Indented) + Environment.NewLine));

    /// <summary>Indented JSON text of <paramref name="node"/>.</summary>
    public static string ToText(JsonNode node) => node.ToJsonString(Indented);

    /// <summary>A JSON number, or null where the value is not finite (JSON has no infinity or NaN).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
