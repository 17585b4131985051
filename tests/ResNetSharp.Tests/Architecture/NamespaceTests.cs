using System.Text.RegularExpressions;

namespace ResNetSharp.Tests.Architecture;

/// <summary>
/// A type's namespace is its folder: every C# file under src/ declares the namespace spelled by its path
/// (src/ResNetSharp/Data/Loading/X.cs: ResNetSharp.Data.Loading), and every .proto file's <c>csharp_namespace</c> is
/// its folder's too. Only the CLI's Program.cs (top-level statements) has none.
/// </summary>
public partial class NamespaceTests
{
    private static readonly string Src = Path.Combine(Repository.Root(), "src");

    [Fact]
    public void Every_source_file_declares_its_folder_as_namespace()
    {
        var files = Sources("*.cs").Where(f => Path.GetRelativePath(Src, f) != Path.Combine("ResNetSharp.Cli", "Program.cs")).ToList();
        Assert.True(files.Count > 100, $"only {files.Count} source files found under {Src}");
        Assert.Empty(Mismatches(files, NamespaceLine()));
    }

    [Fact]
    public void Every_proto_file_generates_into_its_folder_namespace()
    {
        var files = Sources("*.proto").ToList();
        Assert.NotEmpty(files);
        Assert.Empty(Mismatches(files, CsharpNamespaceOption()));
    }

    [Fact]
    public void A_file_in_another_namespace_is_reported()
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "Onnx", "Export.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "using System;\n\nnamespace ResNetSharp.Interop;\n\npublic static class Export;\n");
        Assert.Equal([$"Onnx/Export.cs: namespace ResNetSharp.Interop, folder Onnx"],
            Mismatches([file], NamespaceLine(), dir.Path).Select(m => m.Replace('\\', '/')));
    }

    private static IEnumerable<string> Sources(string pattern) =>
        Directory.EnumerateFiles(Src, pattern, SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(Src, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));

    /// <summary>"path: namespace N, folder F" for each file whose declared namespaces are not all its folder path, dots for slashes.</summary>
    private static IEnumerable<string> Mismatches(IEnumerable<string> files, Regex declaration, string? root = null)
    {
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(root ?? Src, file);
            string folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            var declared = declaration.Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).ToList();
            if (declared.Count == 0) yield return $"{relative}: no namespace, folder {folder}";
            foreach (var ns in declared.Where(ns => ns != folder))
                yield return $"{relative}: namespace {ns}, folder {folder}";
        }
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^option\s+csharp_namespace\s*=\s*""([\w.]+)""", RegexOptions.Multiline)]
    private static partial Regex CsharpNamespaceOption();
}
