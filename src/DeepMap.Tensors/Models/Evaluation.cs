namespace DeepMap.Tensors.Models;

/// <summary>The loss and metrics of a model on a dataset, each averaged over samples.</summary>
public sealed record Evaluation(double Loss, IReadOnlyDictionary<string, double> Metrics)
{
    public double this[string metric] => Metrics.TryGetValue(metric, out var value)
        ? value
        : throw new KeyNotFoundException($"no metric '{metric}' in this evaluation; it has {string.Join(", ", Metrics.Keys.Select(k => $"'{k}'"))}");
}
