using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ResNetSharp.Runtime.Kernels;

/// <summary>
/// Sixteen bf16 values at a time as a <see cref="Vector512{T}"/> of floats: widened exactly on load, rounded to nearest
/// even on store (NaN stays NaN), as libtorch converts them. One AVX-512 instruction each way where the CPU has it; the
/// portable vector API elsewhere (correct, not fast).
/// </summary>
internal static unsafe class Bf16
{
    /// <summary>The floats of the 16 bf16 values at <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ushort* p)
    {
        var half = Vector256.Load(p);
        var wide = Avx512F.IsSupported
            ? Avx512F.ConvertToVector512UInt32(half)
            : Vector512.Create(Vector256.WidenLower(half), Vector256.WidenUpper(half));
        return Vector512.ShiftLeft(wide, 16).AsSingle();
    }

    /// <summary>Stores <paramref name="v"/> as 16 bf16 values at <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ushort* p, Vector512<float> v)
    {
        var bits = v.AsUInt32();
        var rounded = Vector512.ShiftRightLogical(bits + (Vector512.Create(0x7FFFu) + (Vector512.ShiftRightLogical(bits, 16) & Vector512<uint>.One)), 16);
        rounded = Vector512.ConditionalSelect(Vector512.Equals(v, v).AsUInt32(), rounded, Vector512.Create(0x7FC0u));
        var narrow = Avx512F.IsSupported
            ? Avx512F.ConvertToVector256UInt16(rounded)
            : Vector256.Narrow(rounded.GetLower(), rounded.GetUpper());
        narrow.Store(p);
    }
}
