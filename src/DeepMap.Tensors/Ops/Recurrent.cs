using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>
    /// An LSTM over x [B, T, F] with w [F, 4H], u [H, 4H], bias [4H] (gate order i, f, g, o), as one op whose backward
    /// is back-propagation through time. The input projection of every step is one GEMM; each step adds h·U and runs
    /// the fused cell kernel. Returns the last h [B, H], or every h [B, T, H].
    /// </summary>
    public static Tensor Lstm(Tensor x, Tensor w, Tensor u, Tensor bias, bool returnSequences)
    {
        var backend = BackendOf(x, w, u, bias);
        RequireRank(x, 3, "LSTM");
        int batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2], hidden = u.Shape[0];
        if (w.Shape[0] != features) throw new ArgumentException($"LSTM: input has {features} features, weights expect {w.Shape[0]}");
        int rows = steps * batch, gateWidth = 4 * hidden, stepGates = batch * gateWidth, stepState = batch * hidden;

        var xByTime = Tensor.Empty(backend, steps, batch, features);
        backend.Permute(x.Storage, x.Shape, [1, 0, 2], xByTime.Storage);
        var gates = Tensor.Empty(backend, rows, gateWidth);
        backend.Gemm(new GemmShape(rows, gateWidth, features), xByTime.Storage, w.Storage, gates.Storage, columnBias: bias.Storage);
        var h = Tensor.Zeros(backend, steps + 1, batch, hidden);
        var c = Tensor.Zeros(backend, steps + 1, batch, hidden);
        for (var t = 0; t < steps; t++)
        {
            backend.Gemm(new GemmShape(batch, gateWidth, hidden) { AOffset = t * stepState, COffset = t * stepGates }, h.Storage, u.Storage, gates.Storage, accumulate: true);
            backend.LstmCell(gates.Storage, t * stepGates, c.Storage, t * stepState, c.Storage, (t + 1) * stepState, h.Storage, (t + 1) * stepState, batch, hidden);
        }
        var y = HiddenOutput(backend, h, batch, steps, hidden, returnSequences);
        if (LstmNode.Attach(y, x, w, u, bias) is { } node) (node.XByTime, node.Gates, node.H, node.C, node.ReturnSequences) = (xByTime, gates, h, c, returnSequences);
        else ReleaseAll(xByTime, gates, h, c);
        return y;
    }

    /// <summary>Inputs x, w, u, bias; saves the time-major input, the activated gates and every h and c.</summary>
    private sealed class LstmNode : GraphNode<LstmNode>
    {
        public Tensor? XByTime, Gates, H, C;
        public bool ReturnSequences;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            Tensor x = Input(0), w = Input(1), u = Input(2), bias = Input(3);
            var backend = y.Backend;
            int batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2], hidden = u.Shape[0];
            int gateWidth = 4 * hidden, stepGates = batch * gateWidth, stepState = batch * hidden;
            var (gates, c) = (Gates!, C!);
            var dh = HiddenGradient(backend, g, batch, steps, hidden, ReturnSequences);
            var dGates = Tensor.Empty(backend, steps * batch, gateWidth);
            var dc = Tensor.Zeros(backend, batch, hidden);
            for (var t = steps - 1; t >= 0; t--)
            {
                if (t < steps - 1)
                    backend.Gemm(new GemmShape(batch, hidden, gateWidth, false, true) { AOffset = (t + 1) * stepGates, COffset = t * stepState }, dGates.Storage, u.Storage, dh.Storage, accumulate: true);
                backend.LstmCellBackward(gates.Storage, t * stepGates, c.Storage, t * stepState, c.Storage, (t + 1) * stepState, dh.Storage, t * stepState, dc.Storage, dGates.Storage, t * stepGates, batch, hidden);
            }
            dc.Release();
            dh.Release();
            ProjectionGradients(backend, sink, x, w, u, bias, XByTime!, H!, dGates, batch, steps, features, hidden, gateWidth);
            dGates.Release();
        }

        protected override void ClearSaved() => (XByTime, Gates, H, C) = (null, null, null, null);
    }

    /// <summary>
    /// A simple RNN over x [B, T, F]: h_t = tanh(x_t·W + h_{t−1}·U + b), with w [F, H], u [H, H], bias [H].
    /// </summary>
    public static Tensor SimpleRnn(Tensor x, Tensor w, Tensor u, Tensor bias, bool returnSequences)
    {
        var backend = BackendOf(x, w, u, bias);
        RequireRank(x, 3, "SimpleRNN");
        int batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2], hidden = u.Shape[0];
        if (w.Shape[0] != features) throw new ArgumentException($"SimpleRNN: input has {features} features, weights expect {w.Shape[0]}");
        int rows = steps * batch, stepState = batch * hidden;

        var xByTime = Tensor.Empty(backend, steps, batch, features);
        backend.Permute(x.Storage, x.Shape, [1, 0, 2], xByTime.Storage);
        var pre = Tensor.Empty(backend, rows, hidden);
        backend.Gemm(new GemmShape(rows, hidden, features), xByTime.Storage, w.Storage, pre.Storage, columnBias: bias.Storage);
        var h = Tensor.Zeros(backend, steps + 1, batch, hidden);
        for (var t = 0; t < steps; t++)
        {
            backend.Gemm(new GemmShape(batch, hidden, hidden) { AOffset = t * stepState, COffset = t * stepState }, h.Storage, u.Storage, pre.Storage, accumulate: true, activation: Activation.Tanh);
            backend.CopyRows(pre.Storage, t * stepState, stepState, h.Storage, (t + 1) * stepState, stepState, 1, stepState);
        }
        var y = HiddenOutput(backend, h, batch, steps, hidden, returnSequences);
        pre.Release();
        if (SimpleRnnNode.Attach(y, x, w, u, bias) is { } node) (node.XByTime, node.H, node.ReturnSequences) = (xByTime, h, returnSequences);
        else ReleaseAll(xByTime, h);
        return y;
    }

    /// <summary>Inputs x, w, u, bias; saves the time-major input and every h.</summary>
    private sealed class SimpleRnnNode : GraphNode<SimpleRnnNode>
    {
        public Tensor? XByTime, H;
        public bool ReturnSequences;

        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            Tensor x = Input(0), w = Input(1), u = Input(2), bias = Input(3);
            var backend = y.Backend;
            int batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2], hidden = u.Shape[0];
            var stepState = batch * hidden;
            var h = H!;
            var dh = HiddenGradient(backend, g, batch, steps, hidden, ReturnSequences);
            var dPre = Tensor.Empty(backend, steps * batch, hidden);
            var hStep = Tensor.Empty(backend, batch, hidden);
            var dhStep = Tensor.Empty(backend, batch, hidden);
            var dPreStep = Tensor.Empty(backend, batch, hidden);
            for (var t = steps - 1; t >= 0; t--)
            {
                if (t < steps - 1)
                    backend.Gemm(new GemmShape(batch, hidden, hidden, false, true) { AOffset = (t + 1) * stepState, COffset = t * stepState }, dPre.Storage, u.Storage, dh.Storage, accumulate: true);
                backend.CopyRows(h.Storage, (t + 1) * stepState, stepState, hStep.Storage, 0, stepState, 1, stepState);
                backend.CopyRows(dh.Storage, t * stepState, stepState, dhStep.Storage, 0, stepState, 1, stepState);
                backend.UnaryBackward(UnaryOp.Tanh, hStep.Storage, hStep.Storage, dhStep.Storage, dPreStep.Storage, stepState);
                backend.CopyRows(dPreStep.Storage, 0, stepState, dPre.Storage, t * stepState, stepState, 1, stepState);
            }
            hStep.Release();
            dhStep.Release();
            dPreStep.Release();
            dh.Release();
            ProjectionGradients(backend, sink, x, w, u, bias, XByTime!, h, dPre, batch, steps, features, hidden, hidden);
            dPre.Release();
        }

        protected override void ClearSaved() => (XByTime, H) = (null, null);
    }

    /// <summary>Without a graph to record, what the backward pass would have read goes back to the pool at once.</summary>
    private static void ReleaseAll(params ReadOnlySpan<Tensor> saved)
    {
        foreach (var t in saved) t.Release();
    }

    private static Tensor HiddenOutput(IBackend backend, Tensor h, int batch, int steps, int hidden, bool returnSequences)
    {
        var stepState = batch * hidden;
        if (!returnSequences)
        {
            var last = Tensor.Empty(backend, batch, hidden);
            backend.CopyRows(h.Storage, steps * stepState, stepState, last.Storage, 0, stepState, 1, stepState);
            return last;
        }
        // h holds the zero state first; the steps after it are a dense [T, B, H] block at offset B·H.
        var states = Tensor.Empty(backend, steps, batch, hidden);
        backend.CopyRows(h.Storage, stepState, steps * stepState, states.Storage, 0, steps * stepState, 1, steps * stepState);
        var y = Tensor.Empty(backend, batch, steps, hidden);
        backend.Permute(states.Storage, states.Shape, [1, 0, 2], y.Storage);
        states.Release();
        return y;
    }

    /// <summary>The gradient reaching each step's h as a time-major [T, B, H] buffer.</summary>
    private static Tensor HiddenGradient(IBackend backend, Tensor g, int batch, int steps, int hidden, bool returnSequences)
    {
        var dh = Tensor.Zeros(backend, steps, batch, hidden);
        if (returnSequences) backend.Permute(g.Storage, [batch, steps, hidden], [1, 0, 2], dh.Storage);
        else backend.CopyRows(g.Storage, 0, batch * hidden, dh.Storage, (steps - 1) * batch * hidden, batch * hidden, 1, batch * hidden);
        return dh;
    }

    /// <summary>dW = Xᵀ·dG, dU = H_{0..T−1}ᵀ·dG, db = Σ dG, dX = dG·Wᵀ, each one GEMM over all steps.</summary>
    private static void ProjectionGradients(IBackend backend, GradientSink sink, Tensor x, Tensor w, Tensor u, Tensor bias,
        Tensor xByTime, Tensor h, Tensor dPre, int batch, int steps, int features, int hidden, int width)
    {
        var rows = steps * batch;
        if (w.TracksGradient)
        {
            var dw = Tensor.Empty(backend, w.Shape);
            backend.Gemm(new GemmShape(features, width, rows, true, false), xByTime.Storage, dPre.Storage, dw.Storage);
            sink.Add(w, dw);
        }
        if (u.TracksGradient)
        {
            var du = Tensor.Empty(backend, u.Shape);
            backend.Gemm(new GemmShape(hidden, width, rows, true, false), h.Storage, dPre.Storage, du.Storage);
            sink.Add(u, du);
        }
        if (bias.TracksGradient)
        {
            var db = Tensor.Empty(backend, bias.Shape);
            backend.ReduceSum(dPre.Storage, [rows, width], db.Storage, [1, width]);
            sink.Add(bias, db);
        }
        if (x.TracksGradient)
        {
            var dxByTime = Tensor.Empty(backend, steps, batch, features);
            backend.Gemm(new GemmShape(rows, features, width, false, true), dPre.Storage, w.Storage, dxByTime.Storage);
            var dx = Tensor.Empty(backend, x.Shape);
            backend.Permute(dxByTime.Storage, dxByTime.Shape, [1, 0, 2], dx.Storage);
            dxByTime.Release();
            sink.Add(x, dx);
        }
    }
}
