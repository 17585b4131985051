using System.Security.Cryptography;

namespace ResNetSharp.IO;

/// <summary>
/// Downloads one published file from the first of its mirrors that serves it with the published MD5 (as torchvision's
/// dataset downloads do), writing it atomically: a failed, truncated or corrupt download leaves nothing at the path.
/// </summary>
internal static class MirrorDownload
{
    /// <summary>
    /// Fetches <paramref name="name"/> from each of <paramref name="mirrors"/> in turn into <paramref name="path"/> until
    /// one serves it with one of the MD5s <paramref name="md5s"/> (several where the publisher re-uploaded the file); <paramref name="downloading"/> is told each URL first. When every
    /// mirror fails, one error names each URL and why.
    /// </summary>
    public static void Fetch(IReadOnlyList<string> mirrors, string name, IReadOnlyList<string> md5s, string path, Action<string>? downloading = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var failures = new List<string>();
        foreach (var mirror in mirrors)
        {
            var url = HttpDownload.Resolve(mirror, name);
            downloading?.Invoke($"downloading {url} to {path}");
            try
            {
                AtomicFile.WriteVia(path, temp =>
                {
                    string actual = HttpDownload.ToFile(url, temp, HashAlgorithmName.MD5);
                    if (!md5s.Contains(actual, StringComparer.OrdinalIgnoreCase))
                        throw new InvalidDataException($"MD5 {actual}, expected {string.Join(" or ", md5s)} (corrupt or truncated)");
                });
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or UnauthorizedAccessException or TaskCanceledException)
            {
                failures.Add($"{url}: {e.Message}");
            }
        }
        throw new ResNetSharpException(
            $"could not download '{name}' into '{Path.GetDirectoryName(Path.GetFullPath(path))}' from any mirror ({string.Join("; ", failures)}); " +
            "check the network and disk space, try again later, or download the file by hand into that folder.");
    }
}
