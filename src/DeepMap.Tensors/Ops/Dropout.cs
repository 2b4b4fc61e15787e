using DeepMap.Tensors.Autograd;

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
        if (DropoutNode.Attach(y, x) is { } node) node.Mask = mask;
        else mask.Release();
        return y;
    }

    private sealed class DropoutNode : GraphNode<DropoutNode>
    {
        public Tensor? Mask;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.Binary(Backends.BinaryOp.Mul, g.Storage, g.Shape, Mask!.Storage, Mask.Shape, dx.Storage, dx.Shape);
            sink.Add(x, dx);
        }

        protected override void ClearSaved() => Mask = null;
    }

    /// <summary>Rows of a table picked by integer indices (stored as floats): [..., ] → [..., width].</summary>
    public static Tensor Embedding(Tensor indices, Tensor table)
    {
        var backend = BackendOf(indices, table);
        RequireRank(table, 2, "Embedding table");
        int rows = table.Shape[0], width = table.Shape[1];
        Span<int> shape = stackalloc int[indices.Rank + 1];
        indices.Shape.CopyTo(shape);
        shape[^1] = width;
        var y = Tensor.Empty(backend, shape);
        backend.Gather(table.Storage, rows, width, indices.Storage, indices.Size, y.Storage);
        EmbeddingNode.Attach(y, indices, table);
        return y;
    }

    /// <summary>Inputs indices and table.</summary>
    private sealed class EmbeddingNode : GraphNode<EmbeddingNode>
    {
        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            Tensor indices = Input(0), table = Input(1);
            if (!table.TracksGradient) return;
            var dTable = Tensor.Zeros(table.Backend, table.Shape);
            table.Backend.ScatterAdd(g.Storage, indices.Storage, indices.Size, table.Shape[1], dTable.Storage, table.Shape[0]);
            sink.Add(table, dTable);
        }
    }
}
