using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>Sum over the given axes (all when none), keeping them as size 1 when asked.</summary>
    public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var backend = BackendOf(x);
        Span<int> kept = stackalloc int[x.Rank];
        ReducedShape(x.Shape, axes, kept);
        var y = Tensor.Empty(backend, kept);
        backend.ReduceSum(x.Storage, x.Shape, y.Storage, kept);
        var result = y;
        if (!keepDims)
        {
            Span<int> dropped = stackalloc int[Math.Max(1, x.Rank)];
            result = y.View(dropped[..DropReduced(x.Shape, axes, dropped)]);
        }
        SumNode.Attach(result, x)?.SetKept(kept);
        return result;
    }

    private sealed class SumNode : GraphNode<SumNode>
    {
        private int[] _kept = [];
        private int _rank;

        public void SetKept(ReadOnlySpan<int> kept)
        {
            if (_kept.Length < kept.Length) _kept = new int[kept.Length];
            kept.CopyTo(_kept);
            _rank = kept.Length;
        }

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            var backend = x.Backend;
            var ones = Tensor.Full(backend, 1, x.Shape);
            var dx = Tensor.Empty(backend, x.Shape);
            backend.Binary(BinaryOp.Mul, ones.Storage, x.Shape, g.Storage, _kept.AsSpan(0, _rank), dx.Storage, x.Shape);
            ones.Release();
            sink.Add(x, dx);
        }
    }

    public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false)
    {
        var s = Sum(x, axes, keepDims);
        var scale = Scalar(x.Backend, (double)s.Size / x.Size);
        return Mul(s, scale);
    }

    /// <summary>Max along one axis; the gradient goes to the first maximal element.</summary>
    public static Tensor Max(Tensor x, int axis = -1)
    {
        var backend = BackendOf(x);
        axis = axis < 0 ? x.Rank + axis : axis;
        int outer = ShapeMath.Size(x.Shape.AsSpan(0, axis)), length = x.Shape[axis], inner = ShapeMath.Size(x.Shape.AsSpan(axis + 1));
        Span<int> shape = stackalloc int[x.Rank - 1];
        WithoutAxis(x.Shape, axis, shape);
        var y = Tensor.Empty(backend, shape);
        var arg = Tensor.Empty(backend, shape);
        backend.ReduceMax(x.Storage, outer, length, inner, y.Storage, arg.Storage);
        if (MaxNode.Attach(y, x) is { } node) (node.ArgMax, node.Axis) = (arg, axis);
        else arg.Release();
        return y;
    }

    /// <summary>Saves the winners' indices along the axis.</summary>
    private sealed class MaxNode : GraphNode<MaxNode>
    {
        public Tensor? ArgMax;
        public int Axis;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            int outer = ShapeMath.Size(x.Shape.AsSpan(0, Axis)), length = x.Shape[Axis], inner = ShapeMath.Size(x.Shape.AsSpan(Axis + 1));
            var winners = ArgMax!.ToArray();
            var grads = g.ToArray();
            var dx = new float[x.Size];
            for (var o = 0; o < outer; o++)
                for (var i = 0; i < inner; i++)
                    dx[(o * length + (int)winners[o * inner + i]) * inner + i] = grads[o * inner + i];
            sink.Add(x, Tensor.FromArray(x.Backend, dx, x.Shape));
        }

        protected override void ClearSaved() => ArgMax = null;
    }

    /// <summary>Index of the max along an axis, as floats; not differentiable.</summary>
    public static Tensor ArgMax(Tensor x, int axis = -1)
    {
        var backend = BackendOf(x);
        axis = axis < 0 ? x.Rank + axis : axis;
        int outer = ShapeMath.Size(x.Shape.AsSpan(0, axis)), length = x.Shape[axis], inner = ShapeMath.Size(x.Shape.AsSpan(axis + 1));
        Span<int> shape = stackalloc int[x.Rank - 1];
        WithoutAxis(x.Shape, axis, shape);
        var max = Tensor.Empty(backend, shape);
        var arg = Tensor.Empty(backend, shape);
        backend.ReduceMax(x.Storage, outer, length, inner, max.Storage, arg.Storage);
        max.Release();
        return arg;
    }

    private static void WithoutAxis(ReadOnlySpan<int> shape, int axis, Span<int> result)
    {
        shape[..axis].CopyTo(result);
        shape[(axis + 1)..].CopyTo(result[axis..]);
    }

    /// <summary>The shape with each reduced axis (all when none are given) set to 1.</summary>
    private static void ReducedShape(ReadOnlySpan<int> shape, int[]? axes, Span<int> kept)
    {
        if (axes is null || axes.Length == 0)
        {
            kept.Fill(1);
            return;
        }
        shape.CopyTo(kept);
        foreach (var a in axes) kept[Axis(shape, a)] = 1;
    }

    /// <summary>Writes the dimensions that are not reduced ([1] when all are); returns how many it wrote.</summary>
    private static int DropReduced(ReadOnlySpan<int> shape, int[]? axes, Span<int> result)
    {
        var count = 0;
        if (axes is { Length: > 0 })
        {
            for (var i = 0; i < shape.Length; i++)
            {
                var reduced = false;
                foreach (var a in axes) reduced |= Axis(shape, a) == i;
                if (!reduced) result[count++] = shape[i];
            }
        }
        if (count == 0) result[count++] = 1;
        return count;
    }

    private static int Axis(ReadOnlySpan<int> shape, int axis)
    {
        var resolved = axis < 0 ? shape.Length + axis : axis;
        if (resolved < 0 || resolved >= shape.Length) throw new ArgumentException($"axis {axis} is out of range for shape {ShapeMath.Format(shape)}");
        return resolved;
    }
}
