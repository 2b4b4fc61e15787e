namespace DeepMap.Tensors.Autograd;

/// <summary>
/// Collects the tensors created on this thread while it is open and returns their buffers to the backend's pool when
/// it closes, so a training step reuses the same arrays instead of allocating. Tensors meant to outlive it call
/// <see cref="Tensor.Keep"/>.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    private readonly TensorScope? _outer;
    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _closed;

    private TensorScope()
    {
        _outer = t_current;
        t_current = this;
    }

    public static TensorScope Open() => new();

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
        foreach (var t in _tensors) t.Release();
        _tensors.Clear();
        t_current = _outer;
    }
}
