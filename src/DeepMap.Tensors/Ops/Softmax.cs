namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>Softmax over the last axis, stable for any input.</summary>
    public static Tensor Softmax(Tensor x)
    {
        var backend = BackendOf(x);
        var cols = x.Shape[^1];
        var rows = x.Size / cols;
        var y = Tensor.Empty(backend, x.Shape);
        backend.Softmax(x.Storage, y.Storage, rows, cols);
        return Record(y, [x], (g, sink) =>
        {
            var dx = Tensor.Empty(backend, x.Shape);
            backend.SoftmaxBackward(y.Storage, g.Storage, dx.Storage, rows, cols);
            sink.Add(x, dx);
        });
    }
}
