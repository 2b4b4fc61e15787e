using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>The same values under another shape (no copy); one dimension may be −1.</summary>
    public static Tensor Reshape(Tensor x, params ReadOnlySpan<int> shape)
    {
        BackendOf(x);
        Span<int> resolved = stackalloc int[shape.Length];
        shape.CopyTo(resolved);
        var unknown = shape.IndexOf(-1);
        if (unknown >= 0)
        {
            var known = 1;
            for (var i = 0; i < shape.Length; i++) if (i != unknown) known *= shape[i];
            if (known == 0 || x.Size % known != 0) throw new ArgumentException($"cannot reshape {ShapeMath.Format(x.Shape)} to {ShapeMath.Format(shape)}");
            resolved[unknown] = x.Size / known;
        }
        if (ShapeMath.Size(resolved) != x.Size) throw new ArgumentException($"cannot reshape {ShapeMath.Format(x.Shape)} ({x.Size} values) to {ShapeMath.Format(shape)}");
        var y = x.View(resolved);
        ReshapeNode.Attach(y, x);
        return y;
    }

    private sealed class ReshapeNode : GraphNode<ReshapeNode>
    {
        public override void Backward(Tensor y, Tensor g, GradientSink sink) => sink.Add(Input(0), Copy(g, Input(0).Shape));
    }

    /// <summary>Reorders axes: output axis i is input axis permutation[i].</summary>
    public static Tensor Permute(Tensor x, params int[] permutation)
    {
        var backend = BackendOf(x);
        if (permutation.Length != x.Rank || permutation.Order().Where((p, i) => p != i).Any())
            throw new ArgumentException($"{ShapeMath.Format(permutation)} is not a permutation of the axes of {ShapeMath.Format(x.Shape)}");
        var y = Tensor.Empty(backend, permutation.Select(p => x.Shape[p]).ToArray());
        backend.Permute(x.Storage, x.Shape, permutation, y.Storage);
        if (PermuteNode.Attach(y, x) is { } node) node.Permutation = permutation;
        return y;
    }

    private sealed class PermuteNode : GraphNode<PermuteNode>
    {
        public int[] Permutation = [];

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            Span<int> inverse = stackalloc int[Permutation.Length];
            for (var i = 0; i < Permutation.Length; i++) inverse[Permutation[i]] = i;
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.Permute(g.Storage, g.Shape, inverse, dx.Storage);
            sink.Add(x, dx);
        }

        protected override void ClearSaved() => Permutation = [];
    }

    /// <summary>Swaps the last two axes.</summary>
    public static Tensor Transpose(Tensor x)
    {
        if (x.Rank < 2) throw new ArgumentException($"Transpose needs at least two axes; got {ShapeMath.Format(x.Shape)}");
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return Permute(x, perm);
    }

    /// <summary>Elements [start, start + length) along an axis.</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        var backend = BackendOf(x);
        axis = axis < 0 ? x.Rank + axis : axis;
        if (start < 0 || length < 0 || start + length > x.Shape[axis])
            throw new ArgumentException($"slice [{start}, {start + length}) is outside axis {axis} of {ShapeMath.Format(x.Shape)}");
        int outer = ShapeMath.Size(x.Shape.AsSpan(0, axis)), inner = ShapeMath.Size(x.Shape.AsSpan(axis + 1)), dim = x.Shape[axis];
        Span<int> shape = stackalloc int[x.Rank];
        x.Shape.CopyTo(shape);
        shape[axis] = length;
        var y = Tensor.Empty(backend, shape);
        backend.CopyRows(x.Storage, start * inner, dim * inner, y.Storage, 0, length * inner, outer, length * inner);
        if (SliceNode.Attach(y, x) is { } node) (node.Axis, node.Start) = (axis, start);
        return y;
    }

    private sealed class SliceNode : GraphNode<SliceNode>
    {
        public int Axis;
        public int Start;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            int outer = ShapeMath.Size(x.Shape.AsSpan(0, Axis)), inner = ShapeMath.Size(x.Shape.AsSpan(Axis + 1));
            int dim = x.Shape[Axis], length = y.Shape[Axis];
            var dx = Tensor.Zeros(x.Backend, x.Shape);
            x.Backend.CopyRows(g.Storage, 0, length * inner, dx.Storage, Start * inner, dim * inner, outer, length * inner);
            sink.Add(x, dx);
        }
    }

    /// <summary>Joins tensors along an axis; the other dimensions must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, int axis)
    {
        if (parts.Count == 0) throw new ArgumentException("Concat needs at least one tensor");
        var inputs = parts.ToArray();
        var backend = BackendOf(inputs);
        var first = parts[0];
        axis = axis < 0 ? first.Rank + axis : axis;
        var shape = (int[])first.Shape.Clone();
        shape[axis] = 0;
        foreach (var p in parts)
        {
            for (var i = 0; i < first.Rank; i++)
                if (i != axis && (p.Rank != first.Rank || p.Shape[i] != first.Shape[i]))
                    throw new ArgumentException($"Concat along axis {axis}: shape {ShapeMath.Format(p.Shape)} does not match {ShapeMath.Format(first.Shape)}");
            shape[axis] += p.Shape[axis];
        }
        int outer = ShapeMath.Size(first.Shape.AsSpan(0, axis)), inner = ShapeMath.Size(first.Shape.AsSpan(axis + 1));
        var y = Tensor.Empty(backend, shape);
        var offset = 0;
        foreach (var p in parts)
        {
            backend.CopyRows(p.Storage, 0, p.Shape[axis] * inner, y.Storage, offset * inner, shape[axis] * inner, outer, p.Shape[axis] * inner);
            offset += p.Shape[axis];
        }
        if (ConcatNode.Attach(y, inputs) is { } node) node.Axis = axis;
        return y;
    }

    private sealed class ConcatNode : GraphNode<ConcatNode>
    {
        public int Axis;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            int outer = ShapeMath.Size(y.Shape.AsSpan(0, Axis)), inner = ShapeMath.Size(y.Shape.AsSpan(Axis + 1)), total = y.Shape[Axis];
            var at = 0;
            foreach (var p in Inputs)
            {
                if (p.TracksGradient)
                {
                    var dp = Tensor.Empty(y.Backend, p.Shape);
                    y.Backend.CopyRows(g.Storage, at * inner, total * inner, dp.Storage, 0, p.Shape[Axis] * inner, outer, p.Shape[Axis] * inner);
                    sink.Add(p, dp);
                }
                at += p.Shape[Axis];
            }
        }
    }
}
