using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using ResNetSharp.IO;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Downloads a CIFAR archive over HTTPS, checks its MD5 and extracts it atomically: into a temporary folder
/// next to the target, then renamed into place, so an interrupted or failed download leaves nothing behind.
/// The base URL can be overridden with the RESNETSHARP_CIFAR_URL environment variable (mirrors, tests).
/// </summary>
internal static class CifarDownload
{
    public const string DefaultBaseUrl = "https://www.cs.toronto.edu/~kriz/";
    public const string BaseUrlVariable = "RESNETSHARP_CIFAR_URL";

    public static void Fetch(Cifar.Variant variant, string dir, string? baseUrl = null)
    {
        baseUrl ??= Environment.GetEnvironmentVariable(BaseUrlVariable) ?? DefaultBaseUrl;
        var url = HttpDownload.Resolve(baseUrl, variant.Archive);
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{variant.Folder}.{Guid.NewGuid():N}.tmp");
        try
        {
            string archive = temp + ".tar.gz";
            string md5 = HttpDownload.ToFile(url, archive, HashAlgorithmName.MD5);
            if (!md5.Equals(variant.ArchiveMd5, StringComparison.OrdinalIgnoreCase))
                throw new ResNetSharpException(
                    $"downloaded {url} has MD5 {md5}, expected {variant.ArchiveMd5}: the download is corrupt or not the official archive; try again later.");
            Directory.CreateDirectory(temp);
            using (var file = File.OpenRead(archive))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gzip, temp, overwriteFiles: false);
            string extracted = Path.Combine(temp, variant.Folder);
            if (!Directory.Exists(extracted))
                throw new ResNetSharpException($"{url} does not contain the folder '{variant.Folder}'; it is not the official archive.");
            Directory.Move(extracted, Path.Combine(dir, variant.Folder));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or TaskCanceledException)
        {
            throw new ResNetSharpException($"could not download {url} into '{dir}': {e.Message}; check the network and disk space, or download and extract it by hand.", e);
        }
        finally
        {
            File.Delete(temp + ".tar.gz");
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }
}
