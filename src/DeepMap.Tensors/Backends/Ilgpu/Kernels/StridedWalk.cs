namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>
/// A row-major walk over up to six dimensions that maps a flat position to an element offset through per-dimension
/// strides (zero for a broadcast dimension). Kernels take it by value, so a broadcast, a reduction or a permutation
/// costs no upload of index tables.
/// </summary>
internal struct StridedWalk
{
    public const int MaxRank = 6;

    public int S0, S1, S2, S3, S4, S5;
    public int T0, T1, T2, T3, T4, T5;

    public readonly int Offset(int flat)
    {
        var offset = flat % S5 * T5;
        flat /= S5;
        offset += flat % S4 * T4;
        flat /= S4;
        offset += flat % S3 * T3;
        flat /= S3;
        offset += flat % S2 * T2;
        flat /= S2;
        offset += flat % S1 * T1;
        flat /= S1;
        return offset + flat % S0 * T0;
    }

    /// <summary>Right-aligned: missing leading dimensions have size 1.</summary>
    public static StridedWalk Create(IReadOnlyList<int> sizes, IReadOnlyList<int> strides)
    {
        if (sizes.Count > MaxRank)
            throw new NotSupportedException($"the ILGPU backend walks at most {MaxRank} dimensions after merging; this op needs {sizes.Count}");
        Span<int> s = stackalloc int[MaxRank];
        Span<int> t = stackalloc int[MaxRank];
        s.Fill(1);
        t.Clear();
        for (var i = 0; i < sizes.Count; i++)
        {
            s[MaxRank - sizes.Count + i] = sizes[i];
            t[MaxRank - sizes.Count + i] = strides[i];
        }
        return new StridedWalk
        {
            S0 = s[0], S1 = s[1], S2 = s[2], S3 = s[3], S4 = s[4], S5 = s[5],
            T0 = t[0], T1 = t[1], T2 = t[2], T3 = t[3], T4 = t[4], T5 = t[5],
        };
    }
}
