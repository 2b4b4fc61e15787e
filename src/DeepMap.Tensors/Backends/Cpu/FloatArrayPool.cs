namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// Arrays kept by exact length: a training step asks for the same sizes every time, so after the first step every
/// request is served from the pool and the step allocates no arrays.
/// </summary>
internal sealed class FloatArrayPool
{
    private readonly Dictionary<int, Stack<float[]>> _free = new();
    private readonly Lock _gate = new();

    public float[] Rent(int length)
    {
        lock (_gate)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0) return stack.Pop();
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    public void Return(float[] array)
    {
        lock (_gate)
        {
            if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<float[]>();
            stack.Push(array);
        }
    }
}
