namespace DeepMap.Tensors.Training;

/// <summary>Sums a metric over batches on the host, so the epoch's value weighs every sample once.</summary>
public sealed class MetricAccumulator(Metric metric, Loss loss)
{
    private double _sum;
    private long _count;

    public Metric Metric { get; } = metric;

    public string Name => MetricName(Metric);

    public double Value => _count == 0 ? double.NaN : _sum / _count;

    /// <summary>The value is Sum / Count: batches measured apart (data-parallel partitions) add up by these, not by their means.</summary>
    public double Sum => _sum;

    public long Count => _count;

    public static string MetricName(Metric metric) => metric switch
    {
        Metric.Accuracy => "accuracy",
        Metric.MeanAbsoluteError => "mae",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    public void Add(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int rows)
    {
        var width = predictions.Length / rows;
        var targetWidth = targets.Length / rows;
        switch (Metric)
        {
            case Metric.MeanAbsoluteError:
                for (var i = 0; i < predictions.Length; i++) _sum += Math.Abs(predictions[i] - targets[i]);
                _count += predictions.Length;
                break;
            case Metric.Accuracy when width == 1:
                // One output: a logit (threshold 0) when the loss works on logits, else a probability (threshold 0.5).
                var threshold = loss == Loss.BinaryCrossEntropy ? 0f : 0.5f;
                for (var r = 0; r < rows; r++) _sum += (predictions[r] > threshold) == (targets[r] > 0.5f) ? 1 : 0;
                _count += rows;
                break;
            case Metric.Accuracy:
                for (var r = 0; r < rows; r++)
                {
                    var predicted = ArgMax(predictions.Slice(r * width, width));
                    var actual = targetWidth == 1 ? (int)targets[r] : ArgMax(targets.Slice(r * targetWidth, targetWidth));
                    _sum += predicted == actual ? 1 : 0;
                }
                _count += rows;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(Metric), Metric, null);
        }
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
