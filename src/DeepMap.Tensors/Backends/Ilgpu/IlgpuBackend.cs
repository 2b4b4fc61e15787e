using System.Buffers;
using DeepMap.Tensors.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepMap.Tensors.Backends.Ilgpu;

/// <summary>
/// The GPU backend: float32 kernels written with ILGPU, on CUDA in production and on ILGPU's CPU accelerator in tests.
/// Tensors stay on the device for a whole step: every op is a kernel queued on one stream, and the host waits only in
/// <see cref="Download"/>. Class-index faults found by a kernel are therefore reported there, at the next download,
/// as a CUDA error would be.
/// </summary>
public sealed partial class IlgpuBackend : IBackend, IDisposable
{
    /// <summary>The GEMM tile and the grouped reduction use groups of this many threads.</summary>
    private const int RequiredGroupSize = GemmKernel.Threads * GemmKernel.Threads;

    private readonly Accelerator _accelerator;
    private readonly Context? _ownedContext;
    private readonly KernelSet _k;
    private readonly DeviceBufferPool _buffers;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _fault;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noBias;
    private bool _faultPossible;
    private long _uploads;
    private long _downloads;

    /// <summary>Runs on <paramref name="accelerator"/>, which the caller keeps and disposes.</summary>
    public IlgpuBackend(Accelerator accelerator) : this(accelerator, null) { }

    private IlgpuBackend(Accelerator accelerator, Context? ownedContext)
    {
        if (accelerator.MaxNumThreadsPerGroup < RequiredGroupSize)
            throw new ArgumentException($"{accelerator.Name} runs at most {accelerator.MaxNumThreadsPerGroup} threads per group; the ILGPU backend needs {RequiredGroupSize}");
        _accelerator = accelerator;
        _ownedContext = ownedContext;
        _k = new KernelSet(accelerator);
        _buffers = new DeviceBufferPool(accelerator);
        _fault = accelerator.Allocate1D<int>(4);
        _fault.MemSetToZero();
        _noBias = accelerator.Allocate1D<float>(1);
        Name = accelerator.AcceleratorType == AcceleratorType.CPU ? "ilgpu-cpu (emulated)" : $"ilgpu-{accelerator.AcceleratorType.ToString().ToLowerInvariant()} ({accelerator.Name})";
    }

    public string Name { get; }

    public int ElementSize => 4;

    /// <summary>Host-to-device copies requested so far: with <see cref="Downloads"/>, how a test sees that no op fell back to the host.</summary>
    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>Device-to-host copies so far, including the fault record read after an index check.</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    private AcceleratorStream Stream => _accelerator.DefaultStream;

    private static ArrayView<float> V(Storage s) => ((IlgpuStorage)s).View;

    private static ArrayView<float> V(Storage s, int offset) => ((IlgpuStorage)s).View.SubView(offset);

    public Storage Allocate(int length) => new IlgpuStorage(this, _buffers.Rent(length), length);

    public void Release(Storage storage) => _buffers.Return(((IlgpuStorage)storage).Buffer);

    public void Upload(ReadOnlySpan<float> source, Storage destination, int destinationOffset = 0)
    {
        if (source.IsEmpty) return;
        Interlocked.Increment(ref _uploads);
        ((ArrayView1D<float, Stride1D.Dense>)V(destination).SubView(destinationOffset, source.Length)).CopyFromCPU(Stream, source);
    }

    public void Download(Storage source, Span<float> destination, int sourceOffset = 0)
    {
        Interlocked.Increment(ref _downloads);
        if (!destination.IsEmpty) ((ArrayView1D<float, Stride1D.Dense>)V(source).SubView(sourceOffset, destination.Length)).CopyToCPU(Stream, destination);
        Stream.Synchronize();
        ThrowPendingFault();
    }

    public void UploadDouble(ReadOnlySpan<double> source, Storage destination)
    {
        var floats = ArrayPool<float>.Shared.Rent(source.Length);
        for (var i = 0; i < source.Length; i++) floats[i] = (float)source[i];
        Upload(floats.AsSpan(0, source.Length), destination);
        ArrayPool<float>.Shared.Return(floats);
    }

    public void DownloadDouble(Storage source, Span<double> destination)
    {
        var floats = ArrayPool<float>.Shared.Rent(destination.Length);
        Download(source, floats.AsSpan(0, destination.Length));
        for (var i = 0; i < destination.Length; i++) destination[i] = floats[i];
        ArrayPool<float>.Shared.Return(floats);
    }

    /// <summary>Queues the one-thread check of class indices that <see cref="ThrowPendingFault"/> later reads.</summary>
    private void CheckClassIndices(Storage labels, int count, int classes)
    {
        if (count == 0) return;
        _k.CheckIndices(1, V(labels), count, classes, _fault.View);
        _faultPossible = true;
    }

    private void ThrowPendingFault()
    {
        if (!_faultPossible) return;
        _faultPossible = false;
        Span<int> fault = stackalloc int[4];
        Interlocked.Increment(ref _downloads);
        _fault.View.CopyToCPU(Stream, fault);
        Stream.Synchronize();
        if (fault[0] == 0) return;
        _fault.MemSetToZero(Stream);
        ClassLabels.Index(BitConverter.Int32BitsToSingle(fault[2]), fault[3], fault[1]);
    }

    public void Dispose()
    {
        _buffers.Dispose();
        _fault.Dispose();
        _noBias.Dispose();
        if (_ownedContext is null) return;
        _accelerator.Dispose();
        _ownedContext.Dispose();
    }
}
