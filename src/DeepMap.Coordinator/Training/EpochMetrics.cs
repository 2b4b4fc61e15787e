using System.Globalization;
using DeepMap.Protocol.Training;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// The training metrics of the epoch under way, summed from the batches the partitions report with
/// <see cref="PartitionEvents.GradientSent"/>: each partition's batch of a step counts once, however often it is
/// reported, and a report that trails its epoch's end counts for none.
/// </summary>
public sealed class EpochMetrics
{
    private readonly Dictionary<Metric, (double Sum, long Count)> _sums = [];
    private readonly HashSet<(int Partition, long Step)> _counted = [];

    // Batches of earlier steps are in a closed epoch, or in the sums a checkpoint gave.
    private long _from;

    public void Add(int partition, long step, IEnumerable<MetricSum> metrics)
    {
        if (step < _from || !_counted.Add((partition, step))) return;
        foreach (var m in metrics)
        {
            var (sum, count) = _sums.GetValueOrDefault(m.Metric);
            _sums[m.Metric] = (sum + m.Sum, count + m.Count);
        }
    }

    /// <summary>The epoch's value of each metric by its name ("accuracy", "mae"); the next epoch starts at step <paramref name="next"/>.</summary>
    public Dictionary<string, double> Close(long next)
    {
        var values = _sums.Where(s => s.Value.Count > 0).ToDictionary(s => MetricAccumulator.MetricName(s.Key), s => s.Value.Sum / s.Value.Count);
        _sums.Clear();
        _counted.Clear();
        _from = next;
        return values;
    }

    /// <summary>The sums so far as a checkpoint keeps them: "metric:sum:count", comma-separated.</summary>
    public string Save() => string.Join(",", _sums.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}:{s.Value.Sum:R}:{s.Value.Count}")));

    /// <summary>Goes on from a checkpoint taken at <paramref name="step"/> with the sums it saved.</summary>
    public void Resume(string saved, long step)
    {
        Close(step);
        foreach (var entry in saved.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = entry.Split(':');
            if (fields.Length != 3) throw new FormatException($"'{entry}' is not metric:sum:count");
            _sums[Enum.Parse<Metric>(fields[0])] = (double.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture));
        }
    }
}
