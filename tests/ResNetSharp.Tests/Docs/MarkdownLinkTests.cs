using System.Text.RegularExpressions;

namespace ResNetSharp.Tests.Docs;

/// <summary>
/// The README, the package READMEs and the guides link only files that exist, and headings that exist (GitHub's
/// anchors). DocFX checks the guides it builds; this also covers the READMEs it does not build.
/// </summary>
public partial class MarkdownLinkTests
{
    [Fact]
    public void Every_relative_link_in_the_markdown_resolves()
    {
        string root = Repository.Root();
        var files = new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)))
            .Concat(Directory.GetDirectories(Path.Combine(root, "src")).Select(d => Path.Combine(d, "README.md"))
                .Where(File.Exists).Select(f => Path.GetRelativePath(root, f)))
            .ToList();
        Assert.Contains(Path.Combine("docs", "models.md"), files);

        var broken = files.SelectMany(f => BrokenLinks(root, f)).ToList();
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void A_missing_file_and_a_missing_heading_are_reported()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "a.md"),
            "# Title\n\n## Real-data input: `folders`\n\n[ok](#real-data-input-folders) [ok](b.md#part) [bad](c.md) [bad](b.md#nope)\n" +
            "```\n[ignored](in-code.md)\n```\n[web](https://example.com/x.md)\n");
        File.WriteAllText(Path.Combine(dir.Path, "b.md"), "# Part\n");

        var broken = BrokenLinks(dir.Path, "a.md").ToList();

        Assert.Equal(["a.md: c.md", "a.md: b.md#nope"], broken);
    }

    /// <summary>The links of <paramref name="file"/> (relative to <paramref name="root"/>) whose file or heading is missing.</summary>
    private static IEnumerable<string> BrokenLinks(string root, string file)
    {
        string dir = Path.GetDirectoryName(Path.Combine(root, file))!;
        foreach (string target in Links(File.ReadAllText(Path.Combine(root, file))))
        {
            if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto") continue;
            int hash = target.IndexOf('#');
            string path = hash < 0 ? target : target[..hash], anchor = hash < 0 ? "" : target[(hash + 1)..];
            string full = path.Length == 0 ? Path.Combine(root, file) : Path.GetFullPath(Path.Combine(dir, Uri.UnescapeDataString(path)));
            if (!File.Exists(full) && !Directory.Exists(full)) yield return $"{file}: {target}";
            else if (anchor.Length > 0 && full.EndsWith(".md", StringComparison.Ordinal) && !Anchors(File.ReadAllText(full)).Contains(anchor))
                yield return $"{file}: {target}";
        }
    }

    /// <summary>Link targets outside code fences: <c>[text](target)</c> and <c>![alt](target)</c>.</summary>
    private static IEnumerable<string> Links(string markdown) =>
        OutsideFences(markdown).SelectMany(line => LinkPattern().Matches(line).Select(m => m.Groups[1].Value));

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>();
        foreach (string line in OutsideFences(markdown).Where(l => l.StartsWith('#')))
        {
            string slug = AnchorDrop().Replace(line.TrimStart('#').Trim().ToLowerInvariant(), "").Replace(' ', '-');
            string unique = slug;
            for (int n = 1; !anchors.Add(unique); n++) unique = $"{slug}-{n}";
        }
        return anchors;
    }

    private static IEnumerable<string> OutsideFences(string markdown)
    {
        bool fence = false;
        foreach (string line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fence = !fence;
            else if (!fence) yield return line;
        }
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"[^\p{L}\p{Nd} _-]")]
    private static partial Regex AnchorDrop();
}
