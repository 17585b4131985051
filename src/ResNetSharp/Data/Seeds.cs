namespace ResNetSharp.Data;

/// <summary>Derives independent, reproducible seeds from (seed, epoch, index, ...) tuples (SplitMix64 finaliser).</summary>
internal static class Seeds
{
    public static ulong Mix(params ReadOnlySpan<long> parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (long p in parts)
        {
            h ^= (ulong)p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9UL;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBUL;
            h ^= h >> 31;
        }
        return h;
    }

    /// <summary>A fast generator (SplitMix64) seeded from the tuple, for tight per-pixel loops.</summary>
    public static SplitMix Fast(params ReadOnlySpan<long> parts) => new(Mix(parts));

    /// <summary>A <see cref="Random"/> seeded from the tuple; <c>new Random(int)</c> is stable across .NET versions.</summary>
    public static Random Rng(params ReadOnlySpan<long> parts) => new((int)(Mix(parts) & 0x7FFFFFFF));
}

/// <summary>SplitMix64: a tiny, fast, well-mixed generator (Steele, Lea &amp; Flood 2014).</summary>
internal struct SplitMix(ulong state)
{
    private ulong _state = state;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));
}
