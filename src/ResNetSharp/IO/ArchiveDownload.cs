using System.Formats.Tar;
using System.IO.Compression;

namespace ResNetSharp.IO;

/// <summary>
/// Downloads a published .tar.gz archive (<see cref="MirrorDownload"/>: mirrors in order, MD5 checked) and unpacks
/// the one folder it holds into a target folder atomically: into a temporary folder next to it, then renamed into
/// place, so an interrupted or failed download leaves nothing behind. Unpacking uses the BCL's tar and gzip readers.
/// </summary>
internal static class ArchiveDownload
{
    /// <summary>Fetches <paramref name="archive"/> and moves its folder <paramref name="folder"/> to DIR/<paramref name="folder"/>.</summary>
    public static void Fetch(IReadOnlyList<string> mirrors, string archive, IReadOnlyList<string> md5s, string dir, string folder,
        Action<string>? downloading = null)
    {
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $".{folder}.{Guid.NewGuid():N}.tar.gz");
        try
        {
            MirrorDownload.Fetch(mirrors, archive, md5s, file, downloading);
            Unpack(file, archive, dir, folder);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Unpacks the .tar.gz <paramref name="file"/> (named <paramref name="archive"/> in errors) and moves its folder
    /// <paramref name="folder"/> to DIR/<paramref name="folder"/>; nothing is written outside <paramref name="dir"/>
    /// (the BCL refuses members and links that leave the extraction folder), nothing is written before the whole archive
    /// has been read once, and a failure leaves nothing behind.
    /// </summary>
    public static void Unpack(string file, string archive, string dir, string folder)
    {
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{folder}.{Guid.NewGuid():N}.tmp");
        try
        {
            // A first pass reads every member through: extraction preallocates each file at the size its header claims,
            // so a damaged header claiming 17 GB would reserve that much disk before its data turns out missing (fuzzing).
            using (var gzip = Open(file))
            using (var reader = new TarReader(gzip))
                while (reader.GetNextEntry() is not null) { }
            Directory.CreateDirectory(temp);
            using (var gzip = Open(file))
                TarFile.ExtractToDirectory(gzip, temp, overwriteFiles: false);
            string extracted = Path.Combine(temp, folder);
            if (!Directory.Exists(extracted))
                throw new ResNetSharpException($"{archive} does not contain the folder '{folder}'; it is not the official archive.");
            Directory.Move(extracted, Path.Combine(dir, folder));
        }
        catch (Exception e) when (e is UnauthorizedAccessException || TarErrors.IsDamaged(e))
        {
            throw new ResNetSharpException($"could not unpack {archive} into '{dir}': {e.Message}; the archive is damaged or not the official one, "
                + "or the disk is full: download it again, or extract it by hand.", e);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private static GZipStream Open(string file) => new(File.OpenRead(file), CompressionMode.Decompress);
}
