using ResNetSharp.Cli.Options;

namespace ResNetSharp.Tests.Cli;

/// <summary>docs/options.md is generated from the CLI's declarations: a flag added, renamed or re-described without regenerating it fails here.</summary>
public class OptionsDocTests
{
    [Fact]
    public void Docs_options_table_matches_the_cli()
    {
        string path = Path.Combine(RepoRoot(), "docs", "options.md");
        string expected = OptionsDoc.Markdown(Program.Root());
        if (Environment.GetEnvironmentVariable("RESNETSHARP_WRITE_DOCS") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == expected,
            "docs/options.md differs from the CLI's options: regenerate it with RESNETSHARP_WRITE_DOCS=1 dotnet test --filter OptionsDocTests");
        Assert.Contains("| `--batch-size` | `64` | Images per step (per rank with --distributed). |", expected);
        Assert.Contains("| `--on-bad-image` | `error` |", expected);
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Directory.Packages.props"))) return d.FullName;
        throw new InvalidOperationException("the repository root (Directory.Packages.props) was not found above the test binaries");
    }
}
