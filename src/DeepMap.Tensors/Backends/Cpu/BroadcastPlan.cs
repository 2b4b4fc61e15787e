namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// A broadcast binary op as rows of its output's innermost run: adjacent dimensions with the same broadcast
/// pattern are merged, so [N,C,H,W] + [1,C,1,1] becomes rows of H·W with one bias value each.
/// </summary>
internal sealed class BroadcastPlan
{
    private readonly int[] _outer;
    private readonly int[] _aStrides;
    private readonly int[] _bStrides;

    private BroadcastPlan(int[] outer, int[] aStrides, int[] bStrides, int inner, int aInner, int bInner)
    {
        _outer = outer;
        _aStrides = aStrides;
        _bStrides = bStrides;
        Inner = inner;
        AInnerStride = aInner;
        BInnerStride = bInner;
    }

    public int Inner { get; }

    public int AInnerStride { get; }

    public int BInnerStride { get; }

    public static BroadcastPlan Create(ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape, ReadOnlySpan<int> yShape)
    {
        var dims = new List<(int Size, bool AFull, bool BFull)>();
        for (var i = 0; i < yShape.Length; i++)
        {
            if (yShape[i] == 1) continue;
            var d = (yShape[i], aShape[i] != 1, bShape[i] != 1);
            if (dims.Count > 0 && dims[^1].AFull == d.Item2 && dims[^1].BFull == d.Item3)
                dims[^1] = (dims[^1].Size * d.Item1, d.Item2, d.Item3);
            else dims.Add(d);
        }
        if (dims.Count == 0) dims.Add((1, true, true));
        var rank = dims.Count;
        var outer = new int[rank - 1];
        var aStrides = new int[rank - 1];
        var bStrides = new int[rank - 1];
        int aStride = dims[^1].AFull ? dims[^1].Size : 1, bStride = dims[^1].BFull ? dims[^1].Size : 1;
        for (var i = rank - 2; i >= 0; i--)
        {
            outer[i] = dims[i].Size;
            aStrides[i] = dims[i].AFull ? aStride : 0;
            bStrides[i] = dims[i].BFull ? bStride : 0;
            if (dims[i].AFull) aStride *= dims[i].Size;
            if (dims[i].BFull) bStride *= dims[i].Size;
        }
        return new BroadcastPlan(outer, aStrides, bStrides, dims[^1].Size, dims[^1].AFull ? 1 : 0, dims[^1].BFull ? 1 : 0);
    }

    public void Offsets(int row, out int aOffset, out int bOffset)
    {
        aOffset = 0;
        bOffset = 0;
        for (var i = _outer.Length - 1; i >= 0; i--)
        {
            var index = row % _outer[i];
            row /= _outer[i];
            aOffset += index * _aStrides[i];
            bOffset += index * _bStrides[i];
        }
    }
}
