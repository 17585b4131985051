namespace ResNetSharp.Tests;

/// <summary>The repository checkout the tests run from (files the tests read or check: docs, fixtures).</summary>
internal static class Repository
{
    /// <summary>The repository root: the nearest folder above the test binaries holding Directory.Packages.props.</summary>
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Directory.Packages.props"))) return d.FullName;
        throw new InvalidOperationException("the repository root (Directory.Packages.props) was not found above the test binaries");
    }
}
