namespace DeepMap.Tensors.Autograd;

/// <summary>
/// Collects the tensors created on this thread while it is open (views included) and returns their buffers to the
/// backend's pool when it closes, so a training step reuses the same arrays instead of allocating. Tensors meant to
/// outlive it call <see cref="Tensor.Keep"/>.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    // One closed scope per thread kept for OpenRecycling (with its set's capacity), so a training step allocates none.
    [ThreadStatic] private static TensorScope? t_spare;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private TensorScope? _outer;
    private bool _closed;
    private bool _recycles;

    private TensorScope()
    {
        _outer = t_current;
        t_current = this;
    }

    public static TensorScope Open() => new();

    /// <summary>
    /// As <see cref="Open"/>, but when it closes the tensor objects it released and the scope itself are reused on
    /// this thread: only for library code that lets no tensor created inside escape unkept, and that disposes the
    /// scope exactly once and drops it (a <c>using</c>).
    /// </summary>
    internal static TensorScope OpenRecycling()
    {
        var scope = t_spare;
        if (scope is null) return new TensorScope { _recycles = true };
        t_spare = null;
        scope._closed = false;
        scope._outer = t_current;
        t_current = scope;
        return scope;
    }

    internal static void Track(Tensor tensor) => t_current?._tensors.Add(tensor);

    internal static void Forget(Tensor tensor)
    {
        for (var s = t_current; s is not null; s = s._outer)
            if (s._tensors.Remove(tensor)) return;
    }

    public void Dispose()
    {
        if (_closed) return;
        _closed = true;
        foreach (var t in _tensors)
        {
            t.Release();
            if (_recycles) TensorPool.Return(t);
        }
        _tensors.Clear();
        t_current = _outer;
        _outer = null;
        if (_recycles) t_spare = this;
    }
}
