using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b);

    public static Tensor Sub(Tensor a, Tensor b) => Binary(BinaryOp.Sub, a, b);

    public static Tensor Mul(Tensor a, Tensor b) => Binary(BinaryOp.Mul, a, b);

    public static Tensor Div(Tensor a, Tensor b) => Binary(BinaryOp.Div, a, b);

    public static Tensor Scalar(IBackend backend, double value) => Tensor.Full(backend, value, 1);

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        var backend = BackendOf(a, b);
        var rank = Math.Max(a.Rank, b.Rank);
        Span<int> yShape = stackalloc int[rank], aShape = stackalloc int[rank], bShape = stackalloc int[rank];
        ShapeMath.Broadcast(a.Shape, b.Shape, yShape);
        ShapeMath.PadLeft(a.Shape, aShape);
        ShapeMath.PadLeft(b.Shape, bShape);
        var y = Tensor.Empty(backend, yShape);
        backend.Binary(op, a.Storage, aShape, b.Storage, bShape, y.Storage, yShape);
        if (BinaryNode.Attach(y, a, b) is { } node) node.Kind = op;
        return y;
    }

    private sealed class BinaryNode : GraphNode<BinaryNode>
    {
        public BinaryOp Kind;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            Tensor a = Input(0), b = Input(1);
            switch (Kind)
            {
                case BinaryOp.Add:
                    if (a.TracksGradient) sink.Add(a, SumTo(g, a.Shape));
                    if (b.TracksGradient) sink.Add(b, SumTo(g, b.Shape));
                    break;
                case BinaryOp.Sub:
                    if (a.TracksGradient) sink.Add(a, SumTo(g, a.Shape));
                    if (b.TracksGradient) sink.Add(b, SumTo(Unary(UnaryOp.Neg, g), b.Shape, owned: true));
                    break;
                case BinaryOp.Mul:
                    if (a.TracksGradient) sink.Add(a, SumTo(Mul(g, b), a.Shape, owned: true));
                    if (b.TracksGradient) sink.Add(b, SumTo(Mul(g, a), b.Shape, owned: true));
                    break;
                case BinaryOp.Div:
                    if (a.TracksGradient) sink.Add(a, SumTo(Div(g, b), a.Shape, owned: true));
                    if (b.TracksGradient)
                    {
                        // d(a/b)/db = −y/b
                        var gy = Mul(g, y);
                        var q = Div(gy, b);
                        gy.Release();
                        sink.Add(b, SumTo(Unary(UnaryOp.Neg, q), b.Shape, owned: true));
                        q.Release();
                    }
                    break;
            }
        }
    }

    /// <summary>Sums a broadcast gradient back to an operand's shape; always returns a tensor the caller owns.</summary>
    internal static Tensor SumTo(Tensor g, ReadOnlySpan<int> shape, bool owned = false)
    {
        if (g.Shape.AsSpan().SequenceEqual(shape)) return owned ? g : Copy(g);
        Span<int> padded = stackalloc int[g.Rank];
        ShapeMath.PadLeft(shape, padded);
        var r = Tensor.Empty(g.Backend, shape);
        g.Backend.ReduceSum(g.Storage, g.Shape, r.Storage, padded);
        if (owned) g.Release();
        return r;
    }

    public static Tensor Neg(Tensor x) => Unary(UnaryOp.Neg, x);

    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x);

    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x);

    public static Tensor Sqrt(Tensor x) => Unary(UnaryOp.Sqrt, x);

    public static Tensor Square(Tensor x) => Unary(UnaryOp.Square, x);

    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x);

    public static Tensor Sigmoid(Tensor x) => Unary(UnaryOp.Sigmoid, x);

    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x);

    public static Tensor Unary(UnaryOp op, Tensor x)
    {
        var backend = BackendOf(x);
        var y = Tensor.Empty(backend, x.Shape);
        backend.Unary(op, x.Storage, y.Storage, x.Size);
        if (UnaryNode.Attach(y, x) is { } node) node.Kind = op;
        return y;
    }

    private sealed class UnaryNode : GraphNode<UnaryNode>
    {
        public UnaryOp Kind;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.UnaryBackward(Kind, x.Storage, y.Storage, g.Storage, dx.Storage, x.Size);
            sink.Add(x, dx);
        }
    }

    /// <summary>An activation applied as its own op (a layer's fused epilogue does the same inside its kernel).</summary>
    public static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.None => x,
        Activation.Relu => Relu(x),
        Activation.Sigmoid => Sigmoid(x),
        Activation.Tanh => Tanh(x),
        Activation.Softmax => Softmax(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    internal static UnaryOp ToUnary(Activation activation) => activation switch
    {
        Activation.Relu => UnaryOp.Relu,
        Activation.Sigmoid => UnaryOp.Sigmoid,
        Activation.Tanh => UnaryOp.Tanh,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>dz = g · act'(z), from the activation's output y (ReLU's y > 0 iff z > 0).</summary>
    internal static Tensor ActivationBackward(Activation activation, Tensor y, Tensor g)
    {
        if (activation == Activation.None) return Copy(g);
        var dz = Tensor.Empty(y.Backend, y.Shape);
        y.Backend.UnaryBackward(ToUnary(activation), y.Storage, y.Storage, g.Storage, dz.Storage, y.Size);
        return dz;
    }
}
