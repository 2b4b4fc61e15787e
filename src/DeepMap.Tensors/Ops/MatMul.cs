using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>op(a) · op(b) for matrices; transpose flags read a stored [k, m] or b stored [n, k].</summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        var backend = BackendOf(a, b);
        RequireRank(a, 2, "MatMul");
        RequireRank(b, 2, "MatMul");
        int m = transposeA ? a.Shape[1] : a.Shape[0], k = transposeA ? a.Shape[0] : a.Shape[1];
        int kb = transposeB ? b.Shape[1] : b.Shape[0], n = transposeB ? b.Shape[0] : b.Shape[1];
        if (k != kb) throw new ArgumentException($"MatMul: inner dimensions differ ({ShapeMath.Format(a.Shape)}{(transposeA ? "ᵀ" : "")} · {ShapeMath.Format(b.Shape)}{(transposeB ? "ᵀ" : "")})");
        var y = Tensor.Empty(backend, m, n);
        backend.Gemm(new GemmShape(m, n, k, transposeA, transposeB), a.Storage, b.Storage, y.Storage);
        if (MatMulNode.Attach(y, a, b) is { } node) (node.TransposeA, node.TransposeB) = (transposeA, transposeB);
        return y;
    }

    private sealed class MatMulNode : GraphNode<MatMulNode>
    {
        public bool TransposeA;
        public bool TransposeB;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            Tensor a = Input(0), b = Input(1);
            var backend = y.Backend;
            int m = y.Shape[0], n = y.Shape[1], k = TransposeA ? a.Shape[0] : a.Shape[1];
            if (a.TracksGradient)
            {
                var da = Tensor.Empty(backend, a.Shape);
                if (!TransposeA) backend.Gemm(new GemmShape(m, k, n, false, !TransposeB), g.Storage, b.Storage, da.Storage);
                else backend.Gemm(new GemmShape(k, m, n, TransposeB, true), b.Storage, g.Storage, da.Storage);
                sink.Add(a, da);
            }
            if (b.TracksGradient)
            {
                var db = Tensor.Empty(backend, b.Shape);
                if (!TransposeB) backend.Gemm(new GemmShape(k, n, m, !TransposeA, false), a.Storage, g.Storage, db.Storage);
                else backend.Gemm(new GemmShape(n, k, m, true, TransposeA), g.Storage, a.Storage, db.Storage);
                sink.Add(b, db);
            }
        }
    }

    /// <summary>The fused dense layer: act(x · w + bias), x [batch, in], w [in, out], bias [out].</summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? bias, Activation activation = Activation.None)
    {
        var backend = bias is null ? BackendOf(x, w) : BackendOf(x, w, bias);
        RequireRank(x, 2, "Linear");
        if (x.Shape[1] != w.Shape[0]) throw new ArgumentException($"Linear: input has {x.Shape[1]} features, weights expect {w.Shape[0]}");
        int batch = x.Shape[0], inputs = w.Shape[0], outputs = w.Shape[1];
        var y = Tensor.Empty(backend, batch, outputs);
        backend.Gemm(new GemmShape(batch, outputs, inputs), x.Storage, w.Storage, y.Storage, columnBias: bias?.Storage, activation: activation);
        var node = bias is null ? LinearNode.Attach(y, x, w) : LinearNode.Attach(y, x, w, bias);
        node?.Activation = activation;
        return y;
    }

    /// <summary>Inputs x, w and the bias when there is one.</summary>
    private sealed class LinearNode : GraphNode<LinearNode>
    {
        public Activation Activation;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            Tensor x = Input(0), w = Input(1);
            var bias = Inputs.Length > 2 ? Input(2) : null;
            var backend = y.Backend;
            int batch = x.Shape[0], inputs = w.Shape[0], outputs = w.Shape[1];
            var dz = ActivationBackward(Activation, y, g);
            if (x.TracksGradient)
            {
                var dx = Tensor.Empty(backend, x.Shape);
                backend.Gemm(new GemmShape(batch, inputs, outputs, false, true), dz.Storage, w.Storage, dx.Storage);
                sink.Add(x, dx);
            }
            if (w.TracksGradient)
            {
                var dw = Tensor.Empty(backend, w.Shape);
                backend.Gemm(new GemmShape(inputs, outputs, batch, true, false), x.Storage, dz.Storage, dw.Storage);
                sink.Add(w, dw);
            }
            if (bias is not null && bias.TracksGradient) sink.Add(bias, SumTo(dz, bias.Shape));
            dz.Release();
        }
    }
}
