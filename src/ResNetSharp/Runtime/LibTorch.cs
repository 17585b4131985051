using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace ResNetSharp.Runtime;

/// <summary>
/// Lets TorchSharp run on the libtorch of an existing PyTorch installation (typically for CUDA): when the environment
/// variable <c>RESNETSHARP_LIBTORCH</c> names a <c>torch/lib</c> folder, TorchSharp's native loads of libtorch
/// (<c>torch_cpu</c>, <c>torch_cuda</c>) are answered from that folder, and its libc10/libtorch_cpu/libtorch_cuda/libtorch
/// are loaded first so that <c>libLibTorchSharp</c> binds to them rather than to the CPU copies beside the app.
/// The PyTorch must be built on the libtorch version TorchSharp was (2.10 for TorchSharp 0.107).
/// </summary>
public static class LibTorch
{
    /// <summary>The environment variable naming the folder with libtorch_cpu.so (and libtorch_cuda.so for CUDA).</summary>
    public const string EnvironmentVariable = "RESNETSHARP_LIBTORCH";

    // Load order: each library's dependencies first.
    private static readonly string[] Libraries = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>The folder named by <see cref="EnvironmentVariable"/>, or null when it is unset.</summary>
    public static string? Folder => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir ? dir : null;

    /// <summary>
    /// Registers the native-library resolver for TorchSharp when <see cref="EnvironmentVariable"/> is set. Runs once,
    /// as ResNetSharp's module initialiser, so before any TorchSharp call made through this library.
    /// </summary>
#pragma warning disable CA2255 // The resolver must be in place before TorchSharp's first native call; nothing else guarantees that.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Configure()
    {
        if (Folder is not { } dir) return;
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) => Resolve(dir, name));
    }

    private static IntPtr Resolve(string dir, string name)
    {
        PreloadFrom(dir);
        // TorchSharp asks for "torch_cpu"/"torch_cuda" before LibTorchSharp; LibTorchSharp itself comes from the app.
        var file = Path.Combine(dir, $"lib{name}.so");
        return name.StartsWith("torch", StringComparison.Ordinal) && File.Exists(file) && NativeLibrary.TryLoad(file, out var handle)
            ? handle
            : IntPtr.Zero;
    }

    private static bool _preloaded;

    private static void PreloadFrom(string dir)
    {
        if (_preloaded) return;
        _preloaded = true;
        foreach (var lib in Libraries)
        {
            var path = Path.Combine(dir, lib);
            if (File.Exists(path)) NativeLibrary.TryLoad(path, out _);
        }
    }

    /// <summary>Whether the folder named by <see cref="EnvironmentVariable"/> holds a CUDA libtorch.</summary>
    internal static bool FolderHasCuda => Folder is { } dir && File.Exists(Path.Combine(dir, "libtorch_cuda.so"));
}
