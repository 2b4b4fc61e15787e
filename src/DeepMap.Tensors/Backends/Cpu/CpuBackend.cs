using System.Runtime.CompilerServices;

namespace DeepMap.Tensors.Backends.Cpu;

/// <summary>
/// The fast CPU backend: float32, SIMD (Vector512 where the CPU has it), on a persistent pool of threads, with
/// pooled arrays. Its kernels are split by output, never by reduction, so results do not depend on the thread count.
/// </summary>
public sealed partial class CpuBackend : IBackend, IDisposable
{
    private const int ParallelElements = 1 << 15;

    private readonly WorkerPool _pool;
    private readonly FloatArrayPool _arrays;

    public CpuBackend(int threads = 0)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        _pool = new WorkerPool(Threads);
        _arrays = new FloatArrayPool(this);
    }

    public int Threads { get; }

    public string Name => $"cpu-simd ({Threads} thread{(Threads == 1 ? "" : "s")}, {Sgemm.Isa})";

    public int ElementSize => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float[] A(Storage s) => ((CpuStorage)s).Data;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<float> S(Storage s, int length) => ((CpuStorage)s).Data.AsSpan(0, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<float> S(Storage s) => ((CpuStorage)s).Span;

    public Storage Allocate(int length) => _arrays.Rent(length);

    public void Release(Storage storage) => _arrays.Return((CpuStorage)storage);

    public void Upload(ReadOnlySpan<float> source, Storage destination, int destinationOffset = 0) =>
        source.CopyTo(A(destination).AsSpan(destinationOffset));

    public void Download(Storage source, Span<float> destination, int sourceOffset = 0) =>
        A(source).AsSpan(sourceOffset, destination.Length).CopyTo(destination);

    public void UploadDouble(ReadOnlySpan<double> source, Storage destination)
    {
        var d = A(destination);
        for (var i = 0; i < source.Length; i++) d[i] = (float)source[i];
    }

    public void DownloadDouble(Storage source, Span<double> destination)
    {
        var s = A(source);
        for (var i = 0; i < destination.Length; i++) destination[i] = s[i];
    }

    public void Fill(Storage destination, double value) => S(destination).Fill((float)value);

    public void CopyRows(Storage source, int sourceOffset, int sourceStride, Storage destination, int destinationOffset, int destinationStride, int rows, int rowLength)
    {
        var s = A(source);
        var d = A(destination);
        if (sourceStride == rowLength && destinationStride == rowLength)
        {
            s.AsSpan(sourceOffset, rows * rowLength).CopyTo(d.AsSpan(destinationOffset));
            return;
        }
        for (var r = 0; r < rows; r++)
            s.AsSpan(sourceOffset + r * sourceStride, rowLength).CopyTo(d.AsSpan(destinationOffset + r * destinationStride));
    }

    public void Gemm(in GemmShape shape, Storage a, Storage b, Storage c, bool accumulate = false, Storage? columnBias = null, Activation activation = Activation.None) =>
        Sgemm.Run(_pool, shape, A(a), A(b), A(c), accumulate, columnBias is null ? null : A(columnBias), activation);

    /// <summary>Runs body over [0, count) in parallel chunks when the work is large enough to pay for it.</summary>
    /// <remarks>The body is static and its data a value, so a call allocates nothing (a capturing lambda would).</remarks>
    private void ForChunks<TState>(int count, long workPerItem, in TState state, ChunkBody<TState> body)
    {
        if ((long)count * workPerItem < ParallelElements || Threads == 1) body(state, 0, count);
        else _pool.For(count, state, body);
    }

    /// <summary>Runs body over [0, count) in parallel chunks when the work is large enough to pay for it.</summary>
    private void ForChunks(int count, long workPerItem, Action<int, int> body)
    {
        if ((long)count * workPerItem < ParallelElements || Threads == 1) body(0, count);
        else _pool.For(count, body);
    }

    public void Dispose() => _pool.Dispose();
}
