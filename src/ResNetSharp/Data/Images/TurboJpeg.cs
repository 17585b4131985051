using System.Runtime.InteropServices;

namespace ResNetSharp.Data.Images;

/// <summary>
/// libjpeg-turbo's TurboJPEG C API (<c>libturbojpeg.so.0</c>: Debian and Ubuntu package <c>libturbojpeg0</c>;
/// Homebrew's jpeg-turbo; turbojpeg.dll on Windows), loaded when installed. It is the same codec SkiaSharp carries,
/// built with its SIMD kernels: the same pixels (tested bit for bit), decoded 2-3x faster. One decompressor per thread.
/// Every call that fails or only warns (a truncated file, CMYK, a corrupt segment) returns false, and the caller
/// decodes with SkiaSharp instead, whose verdict and pixels stand. <c>RESNETSHARP_TURBOJPEG=0</c> leaves it unloaded.
/// </summary>
internal sealed class TurboJpeg : IDisposable
{
    private const int PixelFormatRgba = 7;   // TJPF_RGBA

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr InitDecompress();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int DecompressHeader3(IntPtr handle, IntPtr jpeg, CULong size, out int width, out int height, out int subsampling, out int colorspace);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int Decompress2(IntPtr handle, IntPtr jpeg, CULong size, IntPtr destination, int width, int pitch, int height, int pixelFormat, int flags);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int Destroy(IntPtr handle);

    private sealed record Api(InitDecompress Init, DecompressHeader3 Header, Decompress2 Decompress, Destroy Destroy);

    private static readonly string[] Names = ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.0.dylib", "libturbojpeg.dylib", "turbojpeg"];

    private static readonly Lazy<Api?> Loaded = new(Load);

    private readonly Api _api;
    private IntPtr _handle;

    private TurboJpeg(Api api, IntPtr handle) => (_api, _handle) = (api, handle);

    /// <summary>Whether the library is installed and loads (else SkiaSharp decodes every JPEG).</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>A decompressor, or null when the library is not installed.</summary>
    public static TurboJpeg? TryCreate() =>
        Loaded.Value is { } api && api.Init() is var handle && handle != IntPtr.Zero ? new TurboJpeg(api, handle) : null;

    /// <summary>Whether the <paramref name="length"/> bytes at <paramref name="data"/> start like a JPEG (SOI, then another marker).</summary>
    private static bool IsJpeg(IntPtr data, int length) =>
        length > 3 && Marshal.ReadByte(data) == 0xFF && Marshal.ReadByte(data, 1) == 0xD8 && Marshal.ReadByte(data, 2) == 0xFF;

    /// <summary>The full-size dimensions from the JPEG header; false when the bytes are not a JPEG TurboJPEG reads.</summary>
    public bool TryReadSize(IntPtr jpeg, int length, out int width, out int height)
    {
        (width, height) = (0, 0);
        return IsJpeg(jpeg, length) && _api.Header(_handle, jpeg, new CULong((nuint)length), out width, out height, out _, out _) == 0;
    }

    /// <summary>
    /// Decodes to width × height RGBA8888 (alpha 255) at <paramref name="destination"/>, rows of 4 · width bytes;
    /// width and height smaller than the image's select the DCT scaling factor that gives them
    /// (ceil(size · M / 8), as libjpeg rounds). False on any error or warning.
    /// </summary>
    public bool TryDecode(IntPtr jpeg, int length, IntPtr destination, int width, int height) =>
        _api.Decompress(_handle, jpeg, new CULong((nuint)length), destination, width, 4 * width, height, PixelFormatRgba, 0) == 0;

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _api.Destroy(_handle);
        _handle = IntPtr.Zero;
    }

    private static Api? Load()
    {
        if (Environment.GetEnvironmentVariable("RESNETSHARP_TURBOJPEG") == "0") return null;
        foreach (var name in Names)
        {
            if (!NativeLibrary.TryLoad(name, typeof(TurboJpeg).Assembly, null, out var lib)) continue;
            T Export<T>(string symbol) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(lib, symbol));
            try
            {
                return new Api(Export<InitDecompress>("tjInitDecompress"), Export<DecompressHeader3>("tjDecompressHeader3"),
                    Export<Decompress2>("tjDecompress2"), Export<Destroy>("tjDestroy"));
            }
            catch (EntryPointNotFoundException) { }
        }
        return null;
    }
}
