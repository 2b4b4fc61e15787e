using System.Numerics;
using System.Numerics.Tensors;

namespace DeepMap.Tensors.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<int> aShape, Storage b, ReadOnlySpan<int> bShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var av = A(a);
        var bv = A(b);
        var yv = A(y);
        var total = ShapeMath.Size(yShape);
        if (aShape.SequenceEqual(bShape))
        {
            ForChunks(total, 1, (op, av, bv, yv), static (in (BinaryOp Op, float[] A, float[] B, float[] Y) st, int s, int e) =>
                BinarySpan(st.Op, st.A.AsSpan(s, e - s), st.B.AsSpan(s, e - s), st.Y.AsSpan(s, e - s)));
            return;
        }
        var plan = BroadcastPlan.For(aShape, bShape, yShape);
        var inner = plan.Inner;
        var rows = total / inner;
        ForChunks(rows, inner, (op, av, bv, yv, plan), static (in (BinaryOp Op, float[] A, float[] B, float[] Y, BroadcastPlan Plan) st, int r0, int r1) =>
        {
            var (op, av, bv, yv, plan) = st;
            var inner = plan.Inner;
            for (var r = r0; r < r1; r++)
            {
                plan.Offsets(r, out var ao, out var bo);
                var ys = yv.AsSpan(r * inner, inner);
                if (plan.AInnerStride == 1 && plan.BInnerStride == 1) BinarySpan(op, av.AsSpan(ao, inner), bv.AsSpan(bo, inner), ys);
                else if (plan.AInnerStride == 1) BinaryScalarRight(op, av.AsSpan(ao, inner), bv[bo], ys);
                else if (plan.BInnerStride == 1) BinaryScalarLeft(op, av[ao], bv.AsSpan(bo, inner), ys);
                else ys.Fill(ApplyScalar(op, av[ao], bv[bo]));
            }
        });
    }

    private static void BinarySpan(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static void BinaryScalarRight(BinaryOp op, ReadOnlySpan<float> a, float b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static void BinaryScalarLeft(BinaryOp op, float a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(b, a, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, y); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
        }
    }

    private static float ApplyScalar(BinaryOp op, float a, float b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public void Unary(UnaryOp op, Storage x, Storage y, int length)
    {
        var xv = A(x);
        var yv = A(y);
        ForChunks(length, 4, (op, xv, yv), static (in (UnaryOp Op, float[] X, float[] Y) st, int s, int e) =>
        {
            var (op, xv, yv) = st;
            var xs = xv.AsSpan(s, e - s);
            var ys = yv.AsSpan(s, e - s);
            switch (op)
            {
                case UnaryOp.Neg: TensorPrimitives.Negate(xs, ys); break;
                case UnaryOp.Exp: TensorPrimitives.Exp(xs, ys); break;
                case UnaryOp.Log: TensorPrimitives.Log(xs, ys); break;
                case UnaryOp.Sqrt: TensorPrimitives.Sqrt(xs, ys); break;
                case UnaryOp.Square: TensorPrimitives.Multiply(xs, xs, ys); break;
                case UnaryOp.Relu: TensorPrimitives.Max(xs, 0f, ys); break;
                case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(xs, ys); break;
                case UnaryOp.Tanh: TensorPrimitives.Tanh(xs, ys); break;
                default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
            }
        });
    }

    public void UnaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, int length)
    {
        var xv = A(x);
        var yv = A(y);
        var gv = A(dy);
        var ov = A(dx);
        ForChunks(length, 2, (op, xv, yv, gv, ov), static (in (UnaryOp Op, float[] X, float[] Y, float[] G, float[] O) st, int s, int e) =>
        {
            var (op, xv, yv, gv, ov) = st;
            var xs = xv.AsSpan(s, e - s);
            var ys = yv.AsSpan(s, e - s);
            var gs = gv.AsSpan(s, e - s);
            var os = ov.AsSpan(s, e - s);
            switch (op)
            {
                case UnaryOp.Neg: TensorPrimitives.Negate(gs, os); break;
                case UnaryOp.Exp: TensorPrimitives.Multiply(gs, ys, os); break;
                case UnaryOp.Log: TensorPrimitives.Divide(gs, xs, os); break;
                case UnaryOp.Sqrt: TensorPrimitives.Divide(gs, ys, os); TensorPrimitives.Multiply(os, 0.5f, os); break;
                case UnaryOp.Square: TensorPrimitives.Multiply(gs, xs, os); TensorPrimitives.Multiply(os, 2f, os); break;
                case UnaryOp.Relu: ReluBackward(xs, gs, os); break;
                case UnaryOp.Sigmoid: SigmoidBackward(ys, gs, os); break;
                case UnaryOp.Tanh: TanhBackward(ys, gs, os); break;
                default: throw new ArgumentOutOfRangeException(nameof(op), op, null);
            }
        });
    }

    internal static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        var i = 0;
        var w = Vector<float>.Count;
        for (; i <= x.Length - w; i += w)
        {
            var keep = Vector.GreaterThan(new Vector<float>(x[i..]), Vector<float>.Zero);
            Vector.ConditionalSelect(keep, new Vector<float>(dy[i..]), Vector<float>.Zero).CopyTo(dx[i..]);
        }
        for (; i < x.Length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
    }

    internal static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        var i = 0;
        var w = Vector<float>.Count;
        for (; i <= y.Length - w; i += w)
        {
            var v = new Vector<float>(y[i..]);
            (new Vector<float>(dy[i..]) * v * (Vector<float>.One - v)).CopyTo(dx[i..]);
        }
        for (; i < y.Length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
    }

    internal static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        var i = 0;
        var w = Vector<float>.Count;
        for (; i <= y.Length - w; i += w)
        {
            var v = new Vector<float>(y[i..]);
            (new Vector<float>(dy[i..]) * (Vector<float>.One - v * v)).CopyTo(dx[i..]);
        }
        for (; i < y.Length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
    }

    public void Scale(Storage x, Storage y, int length, double alpha, double beta)
    {
        var xv = A(x);
        var yv = A(y);
        var a = (float)alpha;
        var b = (float)beta;
        ForChunks(length, 1, (xv, yv, a, b), static (in (float[] X, float[] Y, float A, float B) st, int s, int e) =>
        {
            var (xv, yv, a, b) = st;
            var xs = xv.AsSpan(s, e - s);
            var ys = yv.AsSpan(s, e - s);
            if (b == 0)
            {
                TensorPrimitives.Multiply(xs, a, ys);
                return;
            }
            if (b != 1) TensorPrimitives.Multiply(ys, b, ys);
            if (a == 1) TensorPrimitives.Add(xs, ys, ys);
            else TensorPrimitives.FusedMultiplyAdd(xs, a, ys, ys);
        });
    }

    public void DropoutMask(Storage mask, int length, ulong seed, double keep)
    {
        var m = A(mask);
        var scale = (float)(1 / keep);
        ForChunks(length, 8, (m, seed, keep, scale), static (in (float[] M, ulong Seed, double Keep, float Scale) st, int s, int e) =>
        {
            for (var i = s; i < e; i++) st.M[i] = DropoutRule.Keeps(st.Seed, i, st.Keep) ? st.Scale : 0f;
        });
    }
}
