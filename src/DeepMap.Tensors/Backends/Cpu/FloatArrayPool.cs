namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// Storages (and their arrays) kept by exact length: a training step asks for the same sizes every time, so after the
/// first step every request is served from the pool and the step allocates neither arrays nor storage objects.
/// </summary>
internal sealed class FloatArrayPool(IBackend backend)
{
    private readonly Dictionary<int, Stack<CpuStorage>> _free = new();
    private readonly Lock _gate = new();

    public CpuStorage Rent(int length)
    {
        lock (_gate)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0) return stack.Pop();
        }
        return new CpuStorage(backend, GC.AllocateUninitializedArray<float>(length), length);
    }

    public void Return(CpuStorage storage)
    {
        lock (_gate)
        {
            if (!_free.TryGetValue(storage.Length, out var stack)) _free[storage.Length] = stack = new Stack<CpuStorage>();
            stack.Push(storage);
        }
    }
}
