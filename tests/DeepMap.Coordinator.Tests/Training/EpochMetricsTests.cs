using DeepMap.Coordinator.Training;
using DeepMap.Protocol.Training;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Tests.Training;

public sealed class EpochMetricsTests
{
    [Fact]
    public void Batches_add_up_to_the_epoch_value_each_counted_once_and_a_report_after_the_epoch_closed_counts_for_none()
    {
        var metrics = new EpochMetrics();
        metrics.Add(0, 0, [new MetricSum(Metric.Accuracy, 3, 4), new MetricSum(Metric.MeanAbsoluteError, 2, 4)]);
        metrics.Add(1, 0, [new MetricSum(Metric.Accuracy, 1, 4), new MetricSum(Metric.MeanAbsoluteError, 6, 4)]);
        metrics.Add(1, 0, [new MetricSum(Metric.Accuracy, 1, 4), new MetricSum(Metric.MeanAbsoluteError, 6, 4)]); // asked again
        metrics.Add(0, 1, [new MetricSum(Metric.Accuracy, 2, 2), new MetricSum(Metric.MeanAbsoluteError, 1, 2)]);

        Assert.Equal(new Dictionary<string, double> { ["accuracy"] = 6.0 / 10, ["mae"] = 9.0 / 10 }, metrics.Close(next: 2));

        metrics.Add(1, 1, [new MetricSum(Metric.Accuracy, 2, 2)]); // the closed epoch's, trailing
        metrics.Add(0, 2, [new MetricSum(Metric.Accuracy, 0, 4)]);
        Assert.Equal(new Dictionary<string, double> { ["accuracy"] = 0 }, metrics.Close(next: 4));
        Assert.Empty(metrics.Close(next: 6));
    }

    [Fact]
    public void A_checkpoint_keeps_the_sums_so_far_and_the_resumed_epoch_goes_on_from_them()
    {
        var before = new EpochMetrics();
        before.Add(0, 10, [new MetricSum(Metric.MeanAbsoluteError, 0.1, 3)]);
        before.Add(1, 10, [new MetricSum(Metric.MeanAbsoluteError, 0.2, 3)]);
        var saved = before.Save();

        var resumed = new EpochMetrics();
        resumed.Resume(saved, step: 11);
        resumed.Add(1, 10, [new MetricSum(Metric.MeanAbsoluteError, 0.2, 3)]); // a report from before the checkpoint
        resumed.Add(0, 11, [new MetricSum(Metric.MeanAbsoluteError, 0.3, 4)]);

        Assert.Equal(new Dictionary<string, double> { ["mae"] = (0.1 + 0.2 + 0.3) / 10 }, resumed.Close(next: 12));
    }
}
