using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// The top-level <c>key: value</c> scalars of a <c>--config</c> file, read from the YAML parser's events in one pass:
/// no document tree is built, so deep nesting cannot exhaust the stack (YamlDotNet's <c>YamlStream</c> recurses per
/// level) and aliases cannot multiply the work (a "billion laughs" key hashed through its aliases takes minutes there).
/// A list or mapping value is refused where it starts; an alias may name an earlier scalar; reading stops at the end of
/// the first document (YamlDotNet's scanner slows quadratically with flow nesting depth: 100,000 <c>[</c> in a later
/// document took 49 s to skip); files over <see cref="MaxBytes"/> are refused before reading.
/// </summary>
internal static class ConfigYaml
{
    /// <summary>The largest config file read (a file of flags is well under a kilobyte).</summary>
    public const long MaxBytes = 1 << 20;

    /// <summary>The first document's entries in file order (later documents are not read); null values (<c>key:</c>, <c>~</c>, <c>null</c>) keep the default.</summary>
    public static List<(string Key, string? Value)> Entries(string path)
    {
        long length = new FileInfo(path).Length;
        if (length > MaxBytes)
            throw new ResNetSharpException($"config file '{path}' is {length:N0} bytes, more than a file of flags can be (at most {MaxBytes:N0}). Check the --config path.");
        try
        {
            // A line break at the end: YamlDotNet spins for about 14 s on an unknown directive ('%x') running to an end of
            // file at a multiple of 1,024 characters (found by fuzz/run.sh: hang-directive-at-buffer-end).
            string text = File.ReadAllText(path);
            var parser = new Parser(new StringReader(text.EndsWith('\n') ? text : text + "\n"));
            parser.Consume<StreamStart>();
            return parser.Accept<StreamEnd>(out _) ? [] : Mapping(parser, path);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            // YamlDotNet also throws the last two on malformed input (found by fuzz/run.sh: a bad tag, a surrogate escape).
            string line = e is YamlException y ? $", line {y.Start.Line}" : "";
            throw new ResNetSharpException($"config file '{path}' is not valid YAML ({e.Message}{line}).");
        }
    }

    /// <summary>The entries of the document that starts at the parser's position: a mapping of scalars to scalars.</summary>
    private static List<(string Key, string? Value)> Mapping(IParser parser, string path)
    {
        var notAMapping = new ResNetSharpException($"config file '{path}' must be a mapping of flags to values, such as 'lr: 0.1'.");
        parser.Consume<DocumentStart>();
        if (!parser.TryConsume<MappingStart>(out _)) throw notAMapping;
        var anchors = new Dictionary<AnchorName, Scalar>();
        var entries = new List<(string Key, string? Value)>();
        var keys = new HashSet<string>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var start = parser.Current?.Start ?? Mark.Empty;
            if (!TryScalar(parser, anchors, out var key)) throw notAMapping;
            if (!TryScalar(parser, anchors, out var value))
                throw new ResNetSharpException($"'{key.Value}' in config file '{path}' must be a single value, not a list or mapping.");
            if (!keys.Add(key.Value)) throw new YamlException(start, start, $"Duplicate key {key.Value}");
            entries.Add((key.Value, value.Style == ScalarStyle.Plain && value.Value is "" or "~" or "null" ? null : value.Value));
        }
        return entries;
    }

    /// <summary>Consumes a scalar, or an alias of an earlier one; false (nothing consumed) at a list or mapping.</summary>
    private static bool TryScalar(IParser parser, Dictionary<AnchorName, Scalar> anchors, out Scalar scalar)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
            return anchors.TryGetValue(alias.Value, out scalar!)
                ? true : throw new YamlException(alias.Start, alias.End, $"the alias *{alias.Value} names no earlier single value");
        if (!parser.TryConsume(out scalar!)) return false;
        if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor] = scalar;
        return true;
    }
}
