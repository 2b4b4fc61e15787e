using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

/// <summary>
/// The differentiable operations. Each op computes its output with backend kernels and, when any input tracks
/// gradients, attaches its graph node, whose class sits beside it (tinygrad's layout: forward and backward of an op in
/// one place). Backward functions run with recording off, so they may use the ops themselves.
/// </summary>
public static partial class Op
{
    internal static IBackend BackendOf(params ReadOnlySpan<Tensor> tensors)
    {
        var backend = tensors[0].Backend;
        foreach (var t in tensors)
        {
            if (t.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"a tensor of shape {ShapeMath.Format(t.Shape)} was used after its scope released it");
            if (!ReferenceEquals(t.Backend, backend))
                throw new ArgumentException($"tensors on different backends ({backend.Name} and {t.Backend.Name}); move one with To()");
        }
        return backend;
    }

    internal static void RequireRank(Tensor t, int rank, string what)
    {
        if (t.Rank != rank) throw new ArgumentException($"{what} expects a rank-{rank} tensor; got shape {ShapeMath.Format(t.Shape)}");
    }

    /// <summary>A new tensor with the same values.</summary>
    internal static Tensor Copy(Tensor t) => Copy(t, t.Shape);

    /// <summary>A new tensor with the same values under another shape of the same size.</summary>
    internal static Tensor Copy(Tensor t, ReadOnlySpan<int> shape)
    {
        var copy = Tensor.Empty(t.Backend, shape);
        t.Backend.CopyRows(t.Storage, 0, t.Size, copy.Storage, 0, t.Size, 1, t.Size);
        return copy;
    }
}
