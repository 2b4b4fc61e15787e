using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Models;

/// <summary>
/// A device tensor of one full batch, refilled from host rows for each step; a short last batch gets its own tensor.
/// Reusing it keeps batching from allocating per step.
/// </summary>
internal sealed class BatchBuffer : IDisposable
{
    private readonly IBackend _backend;
    private readonly int[] _rowShape;
    private readonly Tensor _full;

    public BatchBuffer(IBackend backend, int[] rowShape, int batchSize)
    {
        _backend = backend;
        _rowShape = rowShape;
        _full = Tensor.Empty(backend, [batchSize, .. rowShape]).Keep();
    }

    public Tensor Fill(float[] source, int rowLength, ReadOnlySpan<int> rows, int offset = 0)
    {
        var target = rows.Length == _full.Shape[0] ? _full : Tensor.Empty(_backend, [rows.Length, .. _rowShape]);
        for (var i = 0; i < rows.Length; i++)
            _backend.Upload(source.AsSpan((offset + rows[i]) * rowLength, rowLength), target.Storage, i * rowLength);
        return target;
    }

    public void Dispose() => _full.Dispose();
}
