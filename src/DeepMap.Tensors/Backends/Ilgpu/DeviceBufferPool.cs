using ILGPU;
using ILGPU.Runtime;

namespace DeepMap.Tensors.Backends.Ilgpu;

/// <summary>
/// Device buffers kept by exact length, as the CPU backend keeps arrays: a training step asks for the same sizes every
/// step, so after the first one nothing is allocated on the device. A buffer released while a queued kernel still
/// reads it is safe to hand out again, because every kernel and copy runs on one in-order stream.
/// </summary>
internal sealed class DeviceBufferPool(Accelerator accelerator) : IDisposable
{
    private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = new();
    private readonly List<MemoryBuffer1D<float, Stride1D.Dense>> _all = new();
    private readonly Lock _gate = new();

    public MemoryBuffer1D<float, Stride1D.Dense> Rent(int length)
    {
        var size = Math.Max(1, length);
        lock (_gate)
        {
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0) return stack.Pop();
            var buffer = accelerator.Allocate1D<float>(size);
            _all.Add(buffer);
            return buffer;
        }
    }

    public void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        lock (_gate)
        {
            if (!_free.TryGetValue(buffer.Length, out var stack)) _free[buffer.Length] = stack = new();
            stack.Push(buffer);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var buffer in _all) buffer.Dispose();
            _all.Clear();
            _free.Clear();
        }
    }
}
