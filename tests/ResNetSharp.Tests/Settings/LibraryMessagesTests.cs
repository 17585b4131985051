using System.Text.RegularExpressions;

namespace ResNetSharp.Tests.Settings;

/// <summary>
/// The library's messages name settings as <c>Type.Property</c> (the CLI's FlagNames shows the flag): no string literal
/// in the library's code spells a command-line flag. Doc comments and [Setting] help texts describe the CLI and may.
/// </summary>
public partial class LibraryMessagesTests
{
    private static string Library => Path.Combine(Repository.Root(), "src", "ResNetSharp");

    public static TheoryData<string> Folders() =>
        [.. Directory.GetDirectories(Library).Select(d => new DirectoryInfo(d).Name).Where(f => f is not ("bin" or "obj"))];

    [Theory]
    [MemberData(nameof(Folders))]
    public void No_library_message_spells_a_flag(string folder)
    {
        var found = Directory.EnumerateFiles(Path.Combine(Library, folder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (Path: path, Number: i + 1, Line: line.Trim())))
            .Where(l => !l.Line.StartsWith("//", StringComparison.Ordinal) && !l.Line.StartsWith("[Setting(", StringComparison.Ordinal))
            .SelectMany(l => Literal().Matches(l.Line).Where(m => Flag().IsMatch(m.Value)).Select(m => $"{Path.GetRelativePath(Library, l.Path)}:{l.Number}: {m.Value}"))
            .ToList();
        Assert.True(found.Count == 0, "library messages spelling a flag (name the setting's Type.Property instead):\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_scan_finds_a_flag_in_a_message()
    {
        const string line = """throw new ResNetSharpException($"--batch-size must be at least 1, not {n}.");""";
        Assert.Single(Literal().Matches(line), m => Flag().IsMatch(m.Value));
        Assert.DoesNotContain(Literal().Matches("""throw new ResNetSharpException($"BenchOptions.BatchSize must be at least 1, not {n}.");"""), m => Flag().IsMatch(m.Value));
    }

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex Literal();

    [GeneratedRegex(@"(?<![\w-])--[a-z]")]
    private static partial Regex Flag();
}
