namespace ResNetSharp.IO;

/// <summary>Writes a file through a temporary file in the same directory and a rename, so no half-written file is ever left at the path.</summary>
internal static class AtomicFile
{
    /// <summary>Lets <paramref name="write"/> fill a stream to a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write) => WriteVia(path, temp =>
    {
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
        write(stream);
    });

    /// <summary>
    /// Lets <paramref name="write"/> create a temporary file by path (it keeps <paramref name="path"/>'s extension, for
    /// writers such as ScottPlot's SavePng that take a path), then renames it to <paramref name="path"/>.
    /// </summary>
    public static void WriteVia(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new ResNetSharpException($"cannot write '{path}': the directory '{directory}' does not exist; create it first.");
        string temp = Path.Combine(directory, $".{Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.tmp{Path.GetExtension(full)}");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
