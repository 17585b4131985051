using ResNetSharp.IO;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Downloads a CIFAR archive over HTTPS, checks its MD5 and extracts it atomically (<see cref="ArchiveDownload"/>).
/// The base URL can be overridden with the RESNETSHARP_CIFAR_URL environment variable (mirrors, tests).
/// </summary>
internal static class CifarDownload
{
    public const string DefaultBaseUrl = "https://www.cs.toronto.edu/~kriz/";
    public const string BaseUrlVariable = "RESNETSHARP_CIFAR_URL";

    public static void Fetch(Cifar.Variant variant, string dir, string? baseUrl = null) => ArchiveDownload.Fetch(
        [baseUrl ?? Environment.GetEnvironmentVariable(BaseUrlVariable) ?? DefaultBaseUrl], variant.Archive, [variant.ArchiveMd5], dir, variant.Folder);
}
