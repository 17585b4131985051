using System.IO.Compression;
using System.Text;
using ResNetSharp.IO;
using ResNetSharp.Interop.Torch;
using static TorchSharp.torch;

namespace ResNetSharp.Interop.Torch;

/// <summary>
/// PyTorch's <c>torch.save(model.state_dict(), path)</c> files (.pth / .pt, the zip format of PyTorch 1.6+):
/// <c>&lt;prefix&gt;/data.pkl</c> (the pickled dict), <c>&lt;prefix&gt;/data/&lt;key&gt;</c> (raw little-endian storages),
/// <c>&lt;prefix&gt;/version</c>, <c>&lt;prefix&gt;/byteorder</c>. Read without Python and without executing the pickle
/// (only the opcodes and globals a state_dict needs are accepted); torchvision's published weights load as they are.
/// </summary>
public static class TorchCheckpoint
{
    private const string Resave = "re-save it with torch.save(model.state_dict(), path) using PyTorch 1.6 or newer";

    /// <summary>Reads every tensor of a state_dict file (fp32, fp16, bf16, int64) to contiguous CPU tensors.</summary>
    public static NamedTensors Load(string path)
    {
        using var stream = File.OpenRead(path);
        var magic = new byte[4];
        int read = stream.Read(magic);
        stream.Position = 0;
        if (read >= 2 && magic[0] == 0x80 && magic[1] <= 5)
            throw new ResNetSharpException($"'{path}' is a legacy (pre-1.6, non-zip) PyTorch file, which is not supported: {Resave}.");
        if (read < 4 || !magic.AsSpan().SequenceEqual("PK\x03\x04"u8))
            throw new ResNetSharpException($"'{path}' is not a PyTorch checkpoint (no zip archive inside): {Resave}, or use a .safetensors file.");

        ZipArchive zip;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try { entries = (zip = new ZipArchive(stream, ZipArchiveMode.Read)).Entries; } // the central directory is read here
        catch (InvalidDataException e) { throw new ResNetSharpException($"'{path}' is a damaged zip archive ({e.Message}): download or {Resave}."); }
        using var _ = zip;
        var pickle = entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl") && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length)
            ?? throw new ResNetSharpException($"'{path}' is a zip archive without a <name>/data.pkl record, so not a PyTorch checkpoint: {Resave}.");
        string prefix = pickle.FullName[..^"data.pkl".Length];
        if (zip.GetEntry(prefix + "byteorder") is { } order && Text(order, path).Trim() != "little")
            throw new ResNetSharpException($"'{path}' was saved on a big-endian machine: {Resave} on a little-endian machine.");

        var root = PickleReader.Read(Read(pickle, path), path) as PickleDict
            ?? throw new ResNetSharpException($"'{path}' holds a pickled object that is not a dict of tensors: {Resave}.");
        var storages = new Dictionary<string, Tensor>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (key, value) in root.Items)
            {
                if (key is not string name || value is not TensorRef t)
                    throw new ResNetSharpException($"'{path}': entry '{key}' is a {value?.GetType().Name ?? "None"}, not a tensor (is this a training checkpoint with more than the state_dict?): {Resave}.");
                if (!storages.TryGetValue(t.Storage.Key, out var storage))
                    storages[t.Storage.Key] = storage = ReadStorage(zip, prefix, t.Storage, path);
                tensors[name] = View(storage, t, name, path);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var s in storages.Values) s.Dispose();
        }
        return new NamedTensors(tensors);
    }

    /// <summary>
    /// Writes tensors as <c>torch.save(state_dict)</c> does (archive <c>archive/</c>, protocol-2 pickle, one uncompressed
    /// storage per tensor), atomically; <c>torch.load</c> reads the result.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var scope = NewDisposeScope();
        var entries = tensors.Select(kv => (Name: kv.Key, Tensor: TensorBytes.ContiguousCpu(kv.Value))).ToList();
        var pickle = PickleWriter.StateDict(entries.Select(e => (e.Name, e.Tensor.dtype, e.Tensor.shape)).ToList());
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            void Record(string name, Action<Stream> write)
            {
                using var s = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression).Open();
                write(s);
            }
            Record("data.pkl", s => s.Write(pickle));
            Record("byteorder", s => s.Write("little"u8));
            for (int i = 0; i < entries.Count; i++) Record($"data/{i}", s => TensorBytes.Write(s, entries[i].Tensor));
            Record("version", s => s.Write("3\n"u8));
        });
    }

    private static Tensor ReadStorage(ZipArchive zip, string prefix, StorageRef storage, string path)
    {
        var entry = zip.GetEntry($"{prefix}data/{storage.Key}")
            ?? throw new ResNetSharpException($"'{path}' lacks the storage record data/{storage.Key} (damaged file): download or {Resave}.");
        int size = TensorBytes.ElementSize(storage.Type);
        long bytes = storage.Numel * size;
        if (storage.Numel < 0 || storage.Numel > entry.Length / size || entry.Length != bytes)
            throw new ResNetSharpException($"'{path}': storage data/{storage.Key} has {entry.Length} bytes but {storage.Numel} elements of {storage.Type} need {bytes} (damaged file): download or {Resave}.");
        return TensorBytes.FromBytes(Read(entry, path), storage.Type, [storage.Numel]);
    }

    /// <summary>The tensor <c>_rebuild_tensor_v2</c> describes: a strided view of the storage, copied contiguous.</summary>
    private static Tensor View(Tensor storage, TensorRef t, string name, string path)
    {
        bool empty = t.Size.Any(n => n == 0);
        if (t.Size.Length != t.Stride.Length || t.Offset < 0 || t.Stride.Any(s => s < 0) || t.Size.Any(n => n < 0) || (!empty && !Within(t)))
            throw new ResNetSharpException($"'{path}': tensor '{name}' (offset {t.Offset}, size [{string.Join(", ", t.Size)}], stride [{string.Join(", ", t.Stride)}]) lies outside its storage of {t.Storage.Numel} elements or has more elements than it (a damaged file, or an expanded view: save .contiguous() copies): {Resave}.");
        using var view = storage.as_strided(t.Size, t.Stride, t.Offset);
        return view.contiguous().clone();
    }

    /// <summary>
    /// Whether the view's last element lies inside its storage and it has no more elements than the storage (no
    /// expanded, stride-0 views: a few bytes could claim terabytes), computed without overflow.
    /// </summary>
    private static bool Within(TensorRef t)
    {
        try
        {
            long last = t.Offset, numel = 1;
            for (int i = 0; i < t.Size.Length; i++)
            {
                last = checked(last + (t.Size[i] - 1) * t.Stride[i]);
                numel = checked(numel * t.Size[i]);
            }
            return last < t.Storage.Numel && numel <= t.Storage.Numel;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// The bytes of <paramref name="entry"/>. A size its record cannot hold (more compressed bytes than the file has,
    /// or more than deflate's 1032:1 ratio expands to, or over 2 GB) is a damaged file, not an allocation.
    /// </summary>
    private static byte[] Read(ZipArchiveEntry entry, string path)
    {
        if (entry.CompressedLength > new FileInfo(path).Length || entry.Length > Math.Min(1032 * entry.CompressedLength + 1024, Array.MaxLength))
            throw new ResNetSharpException($"'{path}': record {entry.FullName} claims {entry.Length} bytes from {entry.CompressedLength} compressed (damaged file): download or {Resave}.");
        try
        {
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ResNetSharpException($"'{path}': record {entry.FullName} cannot be read ({e.Message}; damaged file): download or {Resave}.");
        }
    }

    private static string Text(ZipArchiveEntry entry, string path) => Encoding.ASCII.GetString(Read(entry, path));
}
