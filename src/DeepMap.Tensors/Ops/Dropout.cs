namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="rate"/> and scales the rest by 1/(1 − rate). The mask is a
    /// pure function of (seed, element index), so every backend and every rerun draws the same one.
    /// </summary>
    public static Tensor Dropout(Tensor x, double rate, ulong seed)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "dropout rate must be in [0, 1)");
        var backend = BackendOf(x);
        if (rate == 0) return x;
        var mask = Tensor.Empty(backend, x.Shape);
        backend.DropoutMask(mask.Storage, x.Size, seed, 1 - rate);
        var y = Tensor.Empty(backend, x.Shape);
        backend.Binary(Backends.BinaryOp.Mul, x.Storage, x.Shape, mask.Storage, mask.Shape, y.Storage, y.Shape);
        return Record(y, [x], (g, sink) =>
        {
            var dx = Tensor.Empty(backend, x.Shape);
            backend.Binary(Backends.BinaryOp.Mul, g.Storage, g.Shape, mask.Storage, mask.Shape, dx.Storage, dx.Shape);
            sink.Add(x, dx);
        });
    }

    /// <summary>Rows of a table picked by integer indices (stored as floats): [..., ] → [..., width].</summary>
    public static Tensor Embedding(Tensor indices, Tensor table)
    {
        var backend = BackendOf(indices, table);
        RequireRank(table, 2, "Embedding table");
        int rows = table.Shape[0], width = table.Shape[1];
        var y = Tensor.Empty(backend, [.. indices.Shape, width]);
        backend.Gather(table.Storage, rows, width, indices.Storage, indices.Size, y.Storage);
        return Record(y, [indices, table], (g, sink) =>
        {
            if (!table.TracksGradient) return;
            var dTable = Tensor.Zeros(backend, table.Shape);
            backend.ScatterAdd(g.Storage, indices.Storage, indices.Size, width, dTable.Storage, rows);
            sink.Add(table, dTable);
        });
    }
}
