namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// A permutation as contiguous runs: trailing axes that stay in place move together, and each run's source offset
/// comes from the output index over the moved axes.
/// </summary>
/// <remarks>One plan per thread is refilled for each op, as <see cref="BroadcastPlan"/> is, so a permute allocates nothing.</remarks>
internal sealed class PermutePlan
{
    [ThreadStatic] private static PermutePlan? t_plan;

    private int[] _yShape = [];
    private int[] _sourceStrides = [];
    private int _outerRank;

    /// <summary>Elements per contiguous run.</summary>
    public int Run { get; private set; }

    public int Runs { get; private set; }

    public static PermutePlan For(ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation)
    {
        var plan = t_plan ??= new PermutePlan();
        plan.Fill(xShape, permutation);
        return plan;
    }

    private void Fill(ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation)
    {
        var rank = xShape.Length;
        if (_yShape.Length < rank) (_yShape, _sourceStrides) = (new int[rank], new int[rank]);
        Span<int> xStrides = stackalloc int[Math.Max(rank, 1)];
        var stride = 1;
        for (var i = rank - 1; i >= 0; i--)
        {
            xStrides[i] = stride;
            stride *= xShape[i];
        }
        for (var i = 0; i < rank; i++)
        {
            _yShape[i] = xShape[permutation[i]];
            _sourceStrides[i] = xStrides[permutation[i]];
        }
        var keptTail = 0;
        var run = 1;
        while (keptTail < rank && permutation[rank - 1 - keptTail] == rank - 1 - keptTail)
        {
            run *= xShape[rank - 1 - keptTail];
            keptTail++;
        }
        _outerRank = rank - keptTail;
        Run = run;
        Runs = run == 0 ? 0 : ShapeMath.Size(xShape) / run;
    }

    /// <summary>Where output run r starts in the input.</summary>
    public int SourceOffset(int r)
    {
        var source = 0;
        for (var d = _outerRank - 1; d >= 0; d--)
        {
            source += r % _yShape[d] * _sourceStrides[d];
            r /= _yShape[d];
        }
        return source;
    }
}
