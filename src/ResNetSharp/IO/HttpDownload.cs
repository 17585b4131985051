using System.Security.Cryptography;

namespace ResNetSharp.IO;

/// <summary>Streams a URL to a file while hashing it, for downloads that are checked against a published digest.</summary>
internal static class HttpDownload
{
    /// <summary>Writes <paramref name="url"/>'s body to <paramref name="path"/> and returns its <paramref name="hash"/> digest (lower-case hex).</summary>
    public static string ToFile(Uri url, string path, HashAlgorithmName hash)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        using var body = response.Content.ReadAsStream();
        using var digest = IncrementalHash.CreateHash(hash);
        using (var file = File.Create(path))
        {
            var buffer = new byte[1 << 20];
            int read;
            while ((read = body.Read(buffer)) > 0)
            {
                digest.AppendData(buffer, 0, read);
                file.Write(buffer, 0, read);
            }
        }
        return Convert.ToHexStringLower(digest.GetHashAndReset());
    }

    /// <summary><paramref name="name"/> resolved against a base URL, which may lack its final slash.</summary>
    public static Uri Resolve(string baseUrl, string name) => new(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), name);
}
