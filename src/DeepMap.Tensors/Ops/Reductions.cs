using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>Sum over the given axes (all when none), keeping them as size 1 when asked.</summary>
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var backend = BackendOf(x);
        var kept = ReducedShape(x.Shape, axes);
        var y = Tensor.Empty(backend, kept);
        backend.ReduceSum(x.Storage, x.Shape, y.Storage, kept);
        var result = keepDims ? y : y.View(DropOnes(x.Shape, kept, axes));
        return Record(result, [x], (g, sink) =>
        {
            var ones = Tensor.Full(backend, 1, x.Shape);
            var gk = g.View(kept);
            var dx = Tensor.Empty(backend, x.Shape);
            backend.Binary(BinaryOp.Mul, ones.Storage, x.Shape, gk.Storage, kept, dx.Storage, x.Shape);
            ones.Release();
            sink.Add(x, dx);
        });
    }

    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var kept = ReducedShape(x.Shape, axes);
        var count = x.Size / ShapeMath.Size(kept);
        var s = Sum(x, axes, keepDims);
        var scale = Scalar(x.Backend, 1.0 / count);
        return Mul(s, scale);
    }

    /// <summary>Max along one axis; the gradient goes to the first maximal element.</summary>
    public static Tensor Max(Tensor x, int axis = -1)
    {
        var backend = BackendOf(x);
        axis = axis < 0 ? x.Rank + axis : axis;
        int outer = ShapeMath.Size(x.Shape.AsSpan(0, axis)), length = x.Shape[axis], inner = ShapeMath.Size(x.Shape.AsSpan(axis + 1));
        var shape = x.Shape.Where((_, i) => i != axis).ToArray();
        var y = Tensor.Empty(backend, shape);
        var arg = Tensor.Empty(backend, shape);
        backend.ReduceMax(x.Storage, outer, length, inner, y.Storage, arg.Storage);
        return Record(y, [x], (g, sink) =>
        {
            var winners = arg.ToArray();
            var grads = g.ToArray();
            var dx = new float[x.Size];
            for (var o = 0; o < outer; o++)
                for (var i = 0; i < inner; i++)
                    dx[(o * length + (int)winners[o * inner + i]) * inner + i] = grads[o * inner + i];
            sink.Add(x, Tensor.FromArray(backend, dx, x.Shape));
        });
    }

    /// <summary>Index of the max along an axis, as floats; not differentiable.</summary>
    public static Tensor ArgMax(Tensor x, int axis = -1)
    {
        var backend = BackendOf(x);
        axis = axis < 0 ? x.Rank + axis : axis;
        int outer = ShapeMath.Size(x.Shape.AsSpan(0, axis)), length = x.Shape[axis], inner = ShapeMath.Size(x.Shape.AsSpan(axis + 1));
        var shape = x.Shape.Where((_, i) => i != axis).ToArray();
        var max = Tensor.Empty(backend, shape);
        var arg = Tensor.Empty(backend, shape);
        backend.ReduceMax(x.Storage, outer, length, inner, max.Storage, arg.Storage);
        max.Release();
        return arg;
    }

    private static int[] ReducedShape(int[] shape, int[]? axes)
    {
        var kept = (int[])shape.Clone();
        if (axes is null || axes.Length == 0)
        {
            Array.Fill(kept, 1);
            return kept;
        }
        foreach (var a in axes)
        {
            var axis = a < 0 ? shape.Length + a : a;
            if (axis < 0 || axis >= shape.Length) throw new ArgumentException($"axis {a} is out of range for shape {ShapeMath.Format(shape)}");
            kept[axis] = 1;
        }
        return kept;
    }

    private static int[] DropOnes(int[] shape, int[] kept, int[]? axes)
    {
        if (axes is null || axes.Length == 0) return [1];
        var result = new List<int>();
        var reduced = axes.Select(a => a < 0 ? shape.Length + a : a).ToHashSet();
        for (var i = 0; i < shape.Length; i++)
            if (!reduced.Contains(i)) result.Add(kept[i]);
        return result.Count == 0 ? [1] : result.ToArray();
    }
}
