using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace ResNetSharp.Tests.Data;

/// <summary>Archives in the published datasets' format, for download tests.</summary>
internal static class TestArchives
{
    /// <summary>A .tar.gz of everything in <paramref name="folder"/> (its contents at the archive's root) and its MD5.</summary>
    public static (byte[] Bytes, string Md5) TarGz(string folder)
    {
        var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
            TarFile.CreateFromDirectory(folder, gzip, includeBaseDirectory: false);
        byte[] bytes = archive.ToArray();
        return (bytes, Convert.ToHexStringLower(MD5.HashData(bytes)));
    }
}
