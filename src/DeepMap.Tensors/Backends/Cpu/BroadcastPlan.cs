namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// A broadcast binary op as rows of its output's innermost run: adjacent dimensions with the same broadcast
/// pattern are merged, so [N,C,H,W] + [1,C,1,1] becomes rows of H·W with one bias value each.
/// </summary>
/// <remarks>
/// One plan per thread is refilled for each op (<see cref="For"/>): the op runs to completion before its thread plans
/// the next, so reusing it is safe and a broadcast costs no allocation.
/// </remarks>
internal sealed class BroadcastPlan
{
    [ThreadStatic] private static BroadcastPlan? t_plan;

    private int[] _outer = [];
    private int[] _aStrides = [];
    private int[] _bStrides = [];
    private int _rank;

    public int Inner { get; private set; }

    public int AInnerStride { get; private set; }

    public int BInnerStride { get; private set; }

    /// <summary>This thread's plan, filled for the given shapes (of equal rank); valid until the thread plans another op.</summary>
    public static BroadcastPlan For(ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape, ReadOnlySpan<int> yShape)
    {
        var plan = t_plan ??= new BroadcastPlan();
        plan.Fill(aShape, bShape, yShape);
        return plan;
    }

    private void Fill(ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape, ReadOnlySpan<int> yShape)
    {
        Span<int> sizes = stackalloc int[Math.Max(1, yShape.Length)];
        Span<bool> aFull = stackalloc bool[sizes.Length], bFull = stackalloc bool[sizes.Length];
        var count = 0;
        for (var i = 0; i < yShape.Length; i++)
        {
            if (yShape[i] == 1) continue;
            bool a = aShape[i] != 1, b = bShape[i] != 1;
            if (count > 0 && aFull[count - 1] == a && bFull[count - 1] == b)
            {
                sizes[count - 1] *= yShape[i];
                continue;
            }
            (sizes[count], aFull[count], bFull[count]) = (yShape[i], a, b);
            count++;
        }
        if (count == 0) (sizes[0], aFull[0], bFull[0], count) = (1, true, true, 1);

        _rank = count - 1;
        if (_outer.Length < _rank) (_outer, _aStrides, _bStrides) = (new int[_rank], new int[_rank], new int[_rank]);
        var last = count - 1;
        int aStride = aFull[last] ? sizes[last] : 1, bStride = bFull[last] ? sizes[last] : 1;
        for (var i = last - 1; i >= 0; i--)
        {
            _outer[i] = sizes[i];
            _aStrides[i] = aFull[i] ? aStride : 0;
            _bStrides[i] = bFull[i] ? bStride : 0;
            if (aFull[i]) aStride *= sizes[i];
            if (bFull[i]) bStride *= sizes[i];
        }
        Inner = sizes[last];
        AInnerStride = aFull[last] ? 1 : 0;
        BInnerStride = bFull[last] ? 1 : 0;
    }

    public void Offsets(int row, out int aOffset, out int bOffset)
    {
        aOffset = 0;
        bOffset = 0;
        for (var i = _rank - 1; i >= 0; i--)
        {
            var index = row % _outer[i];
            row /= _outer[i];
            aOffset += index * _aStrides[i];
            bOffset += index * _bStrides[i];
        }
    }
}
