using DeepMap.Tensors.Training;

namespace DeepMap.Tensors.Models;

/// <summary>
/// A model's metrics over a run of batches (an epoch, an evaluation). Each batch's predictions and targets are copied
/// into host buffers reused from batch to batch, so measuring a step allocates nothing.
/// </summary>
internal sealed class BatchMetrics
{
    private readonly float[] _predictions;
    private readonly float[] _targets;

    public BatchMetrics(IReadOnlyList<Metric> metrics, Loss loss, int batchSize, int outputLength, int targetLength)
    {
        Accumulators = [.. metrics.Select(m => new MetricAccumulator(m, loss))];
        _predictions = Accumulators.Length > 0 ? new float[batchSize * outputLength] : [];
        _targets = Accumulators.Length > 0 ? new float[batchSize * targetLength] : [];
    }

    public MetricAccumulator[] Accumulators { get; }

    public void Add(Tensor prediction, HostDataset data, ReadOnlySpan<int> rows)
    {
        if (Accumulators.Length == 0) return;
        var predictions = _predictions.AsSpan(0, prediction.Size);
        var targets = _targets.AsSpan(0, rows.Length * data.TargetLength);
        prediction.Backend.Download(prediction.Storage, predictions);
        data.CopyTargetRows(rows, targets);
        foreach (var a in Accumulators) a.Add(predictions, targets, rows.Length);
    }
}
