using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>
    /// act(conv(x, w) + bias) for x [N, C, H, W] and w [F, C, k, k], through im2col and one GEMM over the whole batch:
    /// columns [C·k·k, N·OH·OW], then W · columns = [F, N·OH·OW], permuted to [N, F, OH, OW].
    /// </summary>
    public static Tensor Conv2D(Tensor x, Tensor w, Tensor? bias, int stride = 1, bool samePadding = true, Activation activation = Activation.None)
    {
        var backend = bias is null ? BackendOf(x, w) : BackendOf(x, w, bias);
        RequireRank(x, 4, "Conv2D");
        RequireRank(w, 4, "Conv2D weights");
        if (w.Shape[1] != x.Shape[1]) throw new ArgumentException($"Conv2D: input has {x.Shape[1]} channels, weights expect {w.Shape[1]}");
        if (w.Shape[2] != w.Shape[3]) throw new ArgumentException($"Conv2D: only square kernels; got {w.Shape[2]}x{w.Shape[3]}");
        var filters = w.Shape[0];
        var g = Conv2DGeometry.For(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[2], stride, samePadding);
        var pixels = g.Batch * g.OutPixels;
        var columns = Tensor.Empty(backend, g.Patch, pixels);
        backend.Im2Col(x.Storage, columns.Storage, g);
        var byFilter = Tensor.Empty(backend, filters, g.Batch, g.OutPixels);
        backend.Gemm(new GemmShape(filters, pixels, g.Patch), w.Storage, columns.Storage, byFilter.Storage);
        var y = Tensor.Empty(backend, g.Batch, filters, g.OutHeight, g.OutWidth);
        backend.Permute(byFilter.Storage, [filters, g.Batch, g.OutPixels], [1, 0, 2], y.Storage);
        byFilter.Release();
        if (bias is not null) backend.ChannelBiasActivation(y.Storage, bias.Storage, g.Batch, filters, g.OutPixels, activation);
        else if (activation != Activation.None) backend.Unary(ToUnary(activation), y.Storage, y.Storage, y.Size);
        var node = bias is null ? Conv2DNode.Attach(y, x, w) : Conv2DNode.Attach(y, x, w, bias);
        if (node is not null) (node.Columns, node.Geometry, node.Activation) = (columns, g, activation);
        else columns.Release();
        return y;
    }

    /// <summary>Inputs x, w and the bias when there is one; saves the im2col columns of x.</summary>
    private sealed class Conv2DNode : GraphNode<Conv2DNode>
    {
        public Tensor? Columns;
        public Conv2DGeometry Geometry;
        public Activation Activation;

        public override void Backward(Tensor y, Tensor grad, GradientSink sink)
        {
            Tensor x = Input(0), w = Input(1);
            var bias = Inputs.Length > 2 ? Input(2) : null;
            var (backend, g, filters) = (y.Backend, Geometry, w.Shape[0]);
            var pixels = g.Batch * g.OutPixels;
            var dz = ActivationBackward(Activation, y, grad);
            if (bias is not null && bias.TracksGradient)
            {
                var db = Tensor.Empty(backend, filters);
                backend.ReduceSum(dz.Storage, [g.Batch, filters, g.OutPixels], db.Storage, [1, filters, 1]);
                sink.Add(bias, db);
            }
            var dzByFilter = Tensor.Empty(backend, filters, pixels);
            backend.Permute(dz.Storage, [g.Batch, filters, g.OutPixels], [1, 0, 2], dzByFilter.Storage);
            dz.Release();
            if (w.TracksGradient)
            {
                var dw = Tensor.Empty(backend, w.Shape);
                backend.Gemm(new GemmShape(filters, g.Patch, pixels, false, true), dzByFilter.Storage, Columns!.Storage, dw.Storage);
                sink.Add(w, dw);
            }
            if (x.TracksGradient)
            {
                var dColumns = Tensor.Empty(backend, g.Patch, pixels);
                backend.Gemm(new GemmShape(g.Patch, pixels, filters, true, false), w.Storage, dzByFilter.Storage, dColumns.Storage);
                var dx = Tensor.Empty(backend, x.Shape);
                backend.Col2Im(dColumns.Storage, dx.Storage, g);
                dColumns.Release();
                sink.Add(x, dx);
            }
            dzByFilter.Release();
        }

        protected override void ClearSaved() => Columns = null;
    }

    /// <summary>Max pooling over size×size windows with stride = size (valid padding), x [N, C, H, W].</summary>
    public static Tensor MaxPool2D(Tensor x, int size = 2)
    {
        var backend = BackendOf(x);
        RequireRank(x, 4, "MaxPool2D");
        var g = Conv2DGeometry.For(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], size, size, samePadding: false);
        var y = Tensor.Empty(backend, g.Batch, g.Channels, g.OutHeight, g.OutWidth);
        var argMax = Tensor.Empty(backend, y.Shape);
        backend.MaxPool2D(x.Storage, y.Storage, argMax.Storage, g);
        if (MaxPool2DNode.Attach(y, x) is { } node) (node.ArgMax, node.Geometry) = (argMax, g);
        else argMax.Release();
        return y;
    }

    /// <summary>Saves which element of each window won.</summary>
    private sealed class MaxPool2DNode : GraphNode<MaxPool2DNode>
    {
        public Tensor? ArgMax;
        public Conv2DGeometry Geometry;

        public override void Backward(Tensor y, Tensor grad, GradientSink sink)
        {
            var x = Input(0);
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.MaxPool2DBackward(grad.Storage, ArgMax!.Storage, dx.Storage, Geometry);
            sink.Add(x, dx);
        }

        protected override void ClearSaved() => ArgMax = null;
    }
}
