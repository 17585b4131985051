using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// A reader of the numeric arrays of a MATLAB level 5 MAT-file (what MATLAB's <c>save -v7</c> and scipy's
/// <c>savemat</c> write, and what SVHN's <c>train_32x32.mat</c> is): a 128-byte header ending in version 0x0100 and
/// the endian mark "IM" (little-endian), then data elements, each an 8-byte tag (type, byte count; or the 4-byte
/// small form) and its data padded to 8 bytes. A variable is an miMATRIX element (array flags, dimensions, name, real
/// part), possibly inside an miCOMPRESSED (zlib) element. Only the named numeric variables are kept; their elements
/// are stored column-major in any of MATLAB's numeric storage types. Every size is checked against the bytes really
/// there before anything is allocated, so a hostile file is one clear error, never a huge allocation.
/// </summary>
public static class MatFile
{
    /// <summary>One numeric variable: its dimensions (column-major) and its real part as stored, in <paramref name="Type"/>.</summary>
    public sealed record Variable(string Name, int[] Dims, int Type, byte[] Data)
    {
        /// <summary>The element count.</summary>
        public long Count => Dims.Aggregate(1L, (a, d) => a * d);

        /// <summary>The elements as bytes; each must be a whole number in 0..255 (X of SVHN, stored as miUINT8).</summary>
        public byte[] ToBytes(string path) => Type == MiUInt8 ? Data : [.. ToLongs(path).Select(v => v is >= 0 and <= 255
            ? (byte)v : throw Corrupt(path, $"'{Name}' holds {v}, not a byte"))];

        /// <summary>The elements as integers; a fractional or non-finite value is an error.</summary>
        public long[] ToLongs(string path)
        {
            int size = ElementSize(Type);
            var values = new long[Data.Length / size];
            for (int i = 0; i < values.Length; i++)
            {
                var s = Data.AsSpan(i * size, size);
                double v = Type switch
                {
                    MiInt8 => (sbyte)s[0], MiUInt8 => s[0],
                    MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(s), MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s),
                    MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(s), MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s),
                    MiSingle => BinaryPrimitives.ReadSingleLittleEndian(s), MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(s),
                    MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(s), _ => BinaryPrimitives.ReadUInt64LittleEndian(s),
                };
                if (!double.IsFinite(v) || v != Math.Floor(v) || Math.Abs(v) > 1e15)
                    throw Corrupt(path, $"'{Name}' element {i} is {v}, not a whole number");
                values[i] = (long)v;
            }
            return values;
        }
    }

    private const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6, MiSingle = 7, MiDouble = 9,
        MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    private const int HeaderBytes = 128;

    private static int ElementSize(int type) => type switch
    {
        MiInt8 or MiUInt8 => 1,
        MiInt16 or MiUInt16 => 2,
        MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8,
        _ => 0,
    };

    /// <summary>Reads the variables <paramref name="names"/> from <paramref name="path"/>; a missing one is an error naming it.</summary>
    public static IReadOnlyDictionary<string, Variable> Read(string path, params string[] names)
    {
        if (!File.Exists(path))
            throw new ResNetSharpException($"missing MAT-file '{path}'; download it again (TrainOptions.Download).");
        var found = new Dictionary<string, Variable>();
        using var file = File.OpenRead(path);
        var header = new byte[HeaderBytes];
        if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes)
            throw Corrupt(path, "it is shorter than the 128-byte MAT-file header");
        if (Encoding.ASCII.GetString(header, 0, 6) != "MATLAB")
            throw Corrupt(path, "it does not start with a MATLAB header");
        if (header[126] == 'M' && header[127] == 'I')
            throw Corrupt(path, "it is a big-endian MAT-file, which is not supported; save it again on a little-endian machine");
        if (header[126] != 'I' || header[127] != 'M' || BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(124)) != 0x0100)
            throw Corrupt(path, "it is not a level 5 MAT-file (a v7.3 file is HDF5: save it with -v7)");
        var tag = new byte[8];
        while (true)
        {
            int read = file.ReadAtLeast(tag, 8, throwOnEndOfStream: false);
            if (read == 0) break;
            if (read < 8) throw Corrupt(path, "its last element tag is cut short");
            int type = BinaryPrimitives.ReadInt32LittleEndian(tag);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
            if (size > file.Length - file.Position)
                throw Corrupt(path, $"an element at byte {file.Position - 8} claims {size} bytes but only {file.Length - file.Position} remain (truncated)");
            if (8 + size > Array.MaxLength)
                throw Corrupt(path, $"an element claims {size} bytes, beyond 2 GB");
            if (type == MiCompressed)
            {
                long end = file.Position + size;   // compressed elements are not padded
                using (var zlib = new ZLibStream(new Window(file, size), CompressionMode.Decompress, leaveOpen: true))
                    ReadMatrix(Inflate(zlib, path), path, names, found);
                file.Position = end;
            }
            else if (type == MiMatrix)
            {
                var data = new byte[8 + size];
                tag.CopyTo(data, 0);
                file.ReadExactly(data, 8, (int)size);
                ReadMatrix(data, path, names, found);
                file.Position += Math.Min(Pad(size) - size, file.Length - file.Position);
            }
            else
                file.Position += Math.Min(Pad(size), file.Length - file.Position);
        }
        var missing = names.Where(n => !found.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw Corrupt(path, $"it has no numeric variable {string.Join(", ", missing.Select(m => $"'{m}'"))}");
        return found;
    }

    /// <summary>A decompressed miCOMPRESSED payload: one whole element, tag included, grown only as bytes arrive.</summary>
    private static byte[] Inflate(Stream zlib, string path)
    {
        try
        {
            var tag = new byte[8];
            if (zlib.ReadAtLeast(tag, 8, throwOnEndOfStream: false) < 8)
                throw Corrupt(path, "a compressed element holds no element tag");
            long size = BinaryPrimitives.ReadUInt32LittleEndian(tag.AsSpan(4));
            if (8 + size > Array.MaxLength)
                throw Corrupt(path, $"a compressed element claims {size} bytes, beyond 2 GB");
            using var data = new MemoryStream();
            data.Write(tag);
            var buffer = new byte[1 << 16];
            int read;
            while (data.Length < 8 + size && (read = zlib.Read(buffer, 0, (int)Math.Min(buffer.Length, 8 + size - data.Length))) > 0)
                data.Write(buffer, 0, read);
            if (data.Length < 8 + size)
                throw Corrupt(path, $"a compressed element claims {size} bytes but holds {data.Length - 8} (truncated)");
            return data.ToArray();
        }
        // zlib's own errors (a preset dictionary, for one: found by fuzzing) are ZLibException, an IOException.
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Corrupt(path, $"a compressed element is damaged ({e.Message})");
        }
    }

    /// <summary>Parses one miMATRIX element (tag included) and keeps it when it is a wanted numeric variable.</summary>
    private static void ReadMatrix(byte[] element, string path, string[] names, Dictionary<string, Variable> found)
    {
        var (type, data, _) = Element(element, 0, path);
        if (type != MiMatrix) return;
        int at = 8;
        var (flagsType, flags, _) = Sub(element, ref at, path);
        if (flagsType != MiUInt32 || flags.Length < 8) throw Corrupt(path, "a variable's array flags are malformed");
        int arrayClass = flags[0];
        bool complex = (flags[1] & 0x08) != 0;
        if (arrayClass is < 6 or > 15) return;   // cell, struct, object, char, sparse: not numeric
        var (dimsType, dimsData, _) = Sub(element, ref at, path);
        if (dimsType != MiInt32 || dimsData.Length < 8 || dimsData.Length % 4 != 0) throw Corrupt(path, "a variable's dimensions are malformed");
        var dims = new int[dimsData.Length / 4];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32LittleEndian(dimsData.AsSpan(4 * i));
            if (dims[i] < 0) throw Corrupt(path, $"a variable has a negative dimension {dims[i]}");
            count = Math.Min(count * dims[i], Array.MaxLength + 1L);   // saturates (beyond any real part) instead of overflowing
        }
        var (nameType, nameData, _) = Sub(element, ref at, path);
        if (nameType != MiInt8) throw Corrupt(path, "a variable's name is malformed");
        string name = Encoding.ASCII.GetString(nameData);
        if (!names.Contains(name)) return;
        if (complex) throw Corrupt(path, $"'{name}' is complex, not real");
        var (realType, real, _) = Sub(element, ref at, path);
        int size = ElementSize(realType);
        if (size == 0 || real.Length != count * size)
            throw Corrupt(path, $"'{name}' [{string.Join(" x ", dims)}] has {real.Length} bytes of type {realType}, not {count} elements");
        found[name] = new Variable(name, dims, realType, real);
    }

    /// <summary>The sub-element at <paramref name="at"/>, whose start moves past it (and its padding).</summary>
    private static (int Type, byte[] Data, int Next) Sub(byte[] element, ref int at, string path)
    {
        var e = Element(element, at, path);
        at = e.Next;
        return e;
    }

    /// <summary>The element at <paramref name="at"/>: its type, its data (checked to lie inside the buffer) and where the next starts.</summary>
    private static (int Type, byte[] Data, int Next) Element(byte[] buffer, int at, string path)
    {
        if (at > buffer.Length - 8) throw Corrupt(path, "a variable ends before its parts (truncated)");
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
        if (first >> 16 != 0)   // small data element: type and size in the first 4 bytes, up to 4 bytes of data
        {
            int smallSize = (int)(first >> 16);
            if (smallSize > 4) throw Corrupt(path, $"a small element claims {smallSize} bytes, more than 4");
            return ((int)(first & 0xffff), buffer.AsSpan(at + 4, smallSize).ToArray(), at + 8);
        }
        long size = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at + 4));
        if (size > buffer.Length - at - 8)
            throw Corrupt(path, $"an element claims {size} bytes but its variable has {buffer.Length - at - 8} left (truncated)");
        return ((int)first, buffer.AsSpan(at + 8, (int)size).ToArray(), (int)Math.Min(at + 8 + Pad(size), buffer.Length));
    }

    private static long Pad(long size) => (size + 7) / 8 * 8;

    private static ResNetSharpException Corrupt(string path, string why) =>
        new($"'{path}' is not a valid MAT-file: {why}; it is truncated or corrupt, download it again (TrainOptions.Download).");

    /// <summary>A read-only view of the next <c>length</c> bytes of a stream, so zlib cannot read past its element.</summary>
    private sealed class Window(Stream inner, long length) : Stream
    {
        private long _left = length;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = inner.Read(buffer, offset, (int)Math.Min(count, _left));
            _left -= read;
            return read;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
