using DeepMap.Tensors.Autograd;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>Softmax over the last axis, stable for any input.</summary>
    public static Tensor Softmax(Tensor x)
    {
        var backend = BackendOf(x);
        var cols = x.Shape[^1];
        var y = Tensor.Empty(backend, x.Shape);
        backend.Softmax(x.Storage, y.Storage, x.Size / cols, cols);
        SoftmaxNode.Attach(y, x);
        return y;
    }

    private sealed class SoftmaxNode : GraphNode<SoftmaxNode>
    {
        public override void Backward(Tensor y, Tensor g, GradientSink sink)
        {
            var x = Input(0);
            var cols = x.Shape[^1];
            var dx = Tensor.Empty(x.Backend, x.Shape);
            x.Backend.SoftmaxBackward(y.Storage, g.Storage, dx.Storage, x.Size / cols, cols);
            sink.Add(x, dx);
        }
    }
}
