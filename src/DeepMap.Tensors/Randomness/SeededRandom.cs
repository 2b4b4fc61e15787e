namespace DeepMap.Tensors.Randomness;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Our own generator rather than <see cref="Random"/> so that a seed means the
/// same numbers on every runtime version and platform: weights and data order are part of what a job reproduces.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>A generator for a named sub-stream, so that adding one consumer does not shift another's numbers.</summary>
    public static SeededRandom Derive(ulong seed, params ReadOnlySpan<ulong> path) => new(PathSeed(seed, path));

    /// <summary>The first number of <c>Derive(seed, path)</c>, without creating the generator (no allocation).</summary>
    public static ulong DeriveFirst(ulong seed, params ReadOnlySpan<ulong> path)
    {
        var x = PathSeed(seed, path);
        SplitMix64(ref x);
        return Scramble(SplitMix64(ref x));
    }

    private static ulong PathSeed(ulong seed, ReadOnlySpan<ulong> path)
    {
        var h = seed ^ 0x9E3779B97F4A7C15UL;
        foreach (var p in path)
        {
            h ^= p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
            h = Mix(h);
        }
        return h;
    }

    public ulong NextUInt64()
    {
        var result = Scramble(_s1);
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, maxExclusive), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        var bound = (ulong)maxExclusive;
        var threshold = (0UL - bound) % bound;
        while (true)
        {
            var r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal by Box–Muller (both halves used would couple draws; one is enough here).</summary>
    public double NextGaussian()
    {
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A permutation of 0..count-1.</summary>
    public int[] Permutation(int count)
    {
        var p = new int[count];
        for (var i = 0; i < count; i++) p[i] = i;
        Shuffle(p.AsSpan());
        return p;
    }

    /// <summary>Stateless hash of (seed, counter): what counter-based dropout masks use, so any backend reproduces them.</summary>
    public static ulong Hash(ulong seed, ulong counter) => Mix(seed ^ Mix(counter + 0x9E3779B97F4A7C15UL));

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>xoshiro256**'s output function of the second state word.</summary>
    private static ulong Scramble(ulong s1) => RotateLeft(s1 * 5, 7) * 9;

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
