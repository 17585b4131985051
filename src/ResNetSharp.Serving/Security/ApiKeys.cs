using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ResNetSharp.Serving.Security;

/// <summary>
/// The API keys requests must carry: <see cref="ResNetClassifierOptions.ApiKeyFile"/> (one key per line, <c>#</c>
/// comments) and <c>RESNETSHARP_API_KEYS</c> (comma-separated). The file is read again when it changes and on SIGHUP,
/// so keys rotate without a restart. Only SHA-256 hashes are kept, compared in constant time.
/// </summary>
public sealed class ApiKeys : IDisposable
{
    /// <summary>The environment variable whose comma-separated keys are accepted besides the file's.</summary>
    public const string EnvironmentVariable = "RESNETSHARP_API_KEYS";

    private readonly string? _file;
    private readonly PhysicalFileProvider? _watcher;
    private readonly IDisposable? _onChange;
    private readonly PosixSignalRegistration? _sighup;
    private volatile byte[][] _hashes;

    /// <summary>Reads the keys; a key file that is missing, unreadable or holds no key is a clear error naming it.</summary>
    public ApiKeys(IOptions<ResNetClassifierOptions> options)
    {
        _file = options.Value.ApiKeyFile is { } file ? Path.GetFullPath(file) : null;
        _hashes = Read();
        if (_file is null) return;
        _watcher = new PhysicalFileProvider(Path.GetDirectoryName(_file)!, ExclusionFilters.None);
        try
        {
            _onChange = ChangeToken.OnChange(() => _watcher.Watch(Path.GetFileName(_file)), TryReload);
        }
        catch (IOException e)   // no inotify instance left (fuzzing created and dropped keys faster than Linux frees them)
        {
            _watcher.Dispose();
            throw new ResNetSharpException($"cannot watch the API key file '{_file}' for changes ({e.Message}): raise fs.inotify.max_user_instances "
                + "or stop processes that hold many file watches.");
        }
        _sighup = HangupSignal.OnSignal(TryReload);
    }

    /// <summary>Whether any key is configured (requests then need one).</summary>
    public bool Enabled => _file is not null || _hashes.Length > 0;

    /// <summary>
    /// The identity of the key <paramref name="presented"/> (the first 8 hex digits of its SHA-256, stable across
    /// reloads: a rate-limit partition and a log name that reveals nothing), or null when it is no key. Every key is
    /// compared, each in constant time.
    /// </summary>
    public string? Match(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        bool found = false;
        foreach (var key in _hashes) found |= CryptographicOperations.FixedTimeEquals(key, hash);
        return found ? "key-" + Convert.ToHexStringLower(hash, 0, 4) : null;
    }

    /// <summary>Reads the keys again (the file watch and SIGHUP call it); a file that cannot be read keeps the old keys.</summary>
    public void TryReload()
    {
        try
        {
            _hashes = Read();
        }
        catch (ResNetSharpException)
        {
            // Half-written or briefly missing while a secret is swapped: the old keys serve until the next change.
        }
    }

    private byte[][] Read()
    {
        var keys = (Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "").Split(',').AsEnumerable();
        if (_file is not null)
        {
            try
            {
                keys = keys.Concat(File.ReadAllLines(_file).Select(line => line.Split('#')[0]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ResNetSharpException($"cannot read the API key file '{_file}' ({e.Message}): check --api-key-file.");
            }
        }
        var hashes = keys.Select(k => k.Trim()).Where(k => k.Length > 0).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k))).ToArray();
        if (_file is not null && hashes.Length == 0)
            throw new ResNetSharpException($"the API key file '{_file}' holds no key: write one key per line ('#' starts a comment).");
        return hashes;
    }

    /// <summary>Stops watching the file and SIGHUP.</summary>
    public void Dispose()
    {
        _sighup?.Dispose();
        _onChange?.Dispose();
        _watcher?.Dispose();
    }
}
