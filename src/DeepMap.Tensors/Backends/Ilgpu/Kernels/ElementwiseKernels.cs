using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>One thread per output element. Ops arrive as their enum's int value.</summary>
internal static class ElementwiseKernels
{
    public static void Fill(Index1D i, ArrayView<float> y, float value) => y[i] = value;

    public static void CopyRows(Index1D i, ArrayView<float> source, int sourceStride, ArrayView<float> destination, int destinationStride, int rowLength)
    {
        var row = i / rowLength;
        var column = i - row * rowLength;
        destination[row * destinationStride + column] = source[row * sourceStride + column];
    }

    public static void Binary(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y, int op)
    {
        y[i] = Apply(op, a[i], b[i]);
    }

    public static void BinaryBroadcast(Index1D i, ArrayView<float> a, StridedWalk aWalk, ArrayView<float> b, StridedWalk bWalk, ArrayView<float> y, int op)
    {
        y[i] = Apply(op, a[aWalk.Offset(i)], b[bWalk.Offset(i)]);
    }

    private static float Apply(int op, float a, float b)
    {
        if (op == (int)BinaryOp.Add) return a + b;
        if (op == (int)BinaryOp.Sub) return a - b;
        if (op == (int)BinaryOp.Mul) return a * b;
        return a / b;
    }

    public static void Unary(Index1D i, ArrayView<float> x, ArrayView<float> y, int op)
    {
        var v = x[i];
        float r;
        if (op == (int)UnaryOp.Neg) r = -v;
        else if (op == (int)UnaryOp.Exp) r = MathF.Exp(v);
        else if (op == (int)UnaryOp.Log) r = MathF.Log(v);
        else if (op == (int)UnaryOp.Sqrt) r = MathF.Sqrt(v);
        else if (op == (int)UnaryOp.Square) r = v * v;
        else if (op == (int)UnaryOp.Relu) r = v > 0 ? v : 0f;
        else if (op == (int)UnaryOp.Sigmoid) r = DeviceMath.Sigmoid(v);
        else r = DeviceMath.Tanh(v);
        y[i] = r;
    }

    public static void UnaryBackward(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int op)
    {
        var g = dy[i];
        float r;
        if (op == (int)UnaryOp.Neg) r = -g;
        else if (op == (int)UnaryOp.Exp) r = g * y[i];
        else if (op == (int)UnaryOp.Log) r = g / x[i];
        else if (op == (int)UnaryOp.Sqrt) r = g / y[i] * 0.5f;
        else if (op == (int)UnaryOp.Square) r = g * x[i] * 2f;
        else if (op == (int)UnaryOp.Relu) r = x[i] > 0 ? g : 0f;
        else if (op == (int)UnaryOp.Sigmoid) r = g * y[i] * (1f - y[i]);
        else r = g * (1f - y[i] * y[i]);
        dx[i] = r;
    }

    /// <summary>y = alpha·x + beta·y; with beta 0, y is not read (it may hold NaN from a pooled buffer).</summary>
    public static void Scale(Index1D i, ArrayView<float> x, ArrayView<float> y, float alpha, float beta)
    {
        y[i] = beta == 0 ? alpha * x[i] : alpha * x[i] + beta * y[i];
    }

    /// <summary>Calls the one shared <see cref="DropoutRule"/>, so the mask is the CPU backend's bit for bit.</summary>
    public static void DropoutMask(Index1D i, ArrayView<float> mask, ulong seed, double keep, float scale)
    {
        mask[i] = DropoutRule.Keeps(seed, i, keep) ? scale : 0f;
    }
}
