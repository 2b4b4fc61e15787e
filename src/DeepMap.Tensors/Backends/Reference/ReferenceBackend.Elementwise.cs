namespace DeepMap.Tensors.Backends.Reference;

public sealed partial class ReferenceBackend
{
    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<int> aShape, Storage b, ReadOnlySpan<int> bShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var av = D(a);
        var bv = D(b);
        var yv = D(y);
        var n = ShapeMath.Size(yShape);
        Span<int> index = stackalloc int[yShape.Length];
        for (var flat = 0; flat < n; flat++)
        {
            ShapeMath.Unravel(flat, yShape, index);
            var x1 = av[ShapeMath.BroadcastOffset(index, aShape)];
            var x2 = bv[ShapeMath.BroadcastOffset(index, bShape)];
            yv[flat] = op switch
            {
                BinaryOp.Add => x1 + x2,
                BinaryOp.Sub => x1 - x2,
                BinaryOp.Mul => x1 * x2,
                BinaryOp.Div => x1 / x2,
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
            };
        }
    }

    public void Unary(UnaryOp op, Storage x, Storage y, int length)
    {
        var xv = D(x);
        var yv = D(y);
        for (var i = 0; i < length; i++) yv[i] = Apply(op, xv[i]);
    }

    private static double Apply(UnaryOp op, double v) => op switch
    {
        UnaryOp.Neg => -v,
        UnaryOp.Exp => Math.Exp(v),
        UnaryOp.Log => Math.Log(v),
        UnaryOp.Sqrt => Math.Sqrt(v),
        UnaryOp.Square => v * v,
        UnaryOp.Relu => v > 0 ? v : 0,
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
        UnaryOp.Tanh => Math.Tanh(v),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public void UnaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, int length)
    {
        var xv = D(x);
        var yv = D(y);
        var g = D(dy);
        var o = D(dx);
        for (var i = 0; i < length; i++)
        {
            o[i] = g[i] * op switch
            {
                UnaryOp.Neg => -1,
                UnaryOp.Exp => yv[i],
                UnaryOp.Log => 1 / xv[i],
                UnaryOp.Sqrt => 0.5 / yv[i],
                UnaryOp.Square => 2 * xv[i],
                UnaryOp.Relu => xv[i] > 0 ? 1 : 0,
                UnaryOp.Sigmoid => yv[i] * (1 - yv[i]),
                UnaryOp.Tanh => 1 - yv[i] * yv[i],
                _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
            };
        }
    }

    public void Scale(Storage x, Storage y, int length, double alpha, double beta)
    {
        var xv = D(x);
        var yv = D(y);
        for (var i = 0; i < length; i++) yv[i] = alpha * xv[i] + (beta == 0 ? 0 : beta * yv[i]);
    }

    public void DropoutMask(Storage mask, int length, ulong seed, double keep)
    {
        var m = D(mask);
        for (var i = 0; i < length; i++) m[i] = DropoutRule.Keeps(seed, i, keep) ? 1 / keep : 0;
    }
}
