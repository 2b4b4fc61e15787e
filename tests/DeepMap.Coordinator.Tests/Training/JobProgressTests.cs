using DeepMap.Coordinator.Training;
using DeepMap.Coordinator.Training.Planning;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Training;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Tests.Training;

public sealed class JobProgressTests
{
    private static readonly StepSchedule Schedule = new(StepsPerEpoch: 4, Epochs: 2, CheckpointEvery: 3);
    private static readonly Dictionary<string, long> None = [];

    private static JobStatus Queued() => new("job-1", "mlp", JobState.Queued, 0, 2, 0, 0, null, new Dictionary<string, double>(),
        new Dictionary<string, double>(), new Dictionary<string, double>(), 0, null, null, null, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void A_loss_that_is_not_finite_is_the_failure_naming_the_epoch_and_step_it_came_at()
    {
        var progress = new JobProgress(Schedule, Queued());
        progress.Started(0, "parameter-server shards to start");
        for (var s = 1; s <= 5; s++) Assert.Null(progress.StepDone(new StepAction.StepDone(s, 0.5, 8), None, None));

        var failure = progress.StepDone(new StepAction.StepDone(6, double.NaN, 8), None, None);

        Assert.Equal("loss became NaN at epoch 2, step 2; the last good checkpoint is kept", failure);
    }

    [Fact]
    public void An_epoch_ends_with_its_mean_loss_and_training_metrics_and_a_checkpoint_keeps_the_next_epochs_sums()
    {
        var progress = new JobProgress(Schedule, Queued());
        progress.Started(0, "");
        for (var s = 1; s <= 4; s++)
        {
            progress.Count(new StepAction.CountMetrics(0, s - 1, [new MetricSum(Metric.Accuracy, s, 4)]));
            progress.StepDone(new StepAction.StepDone(s, s, 8), None, None);
        }
        progress.EpochEnded(4, new Dictionary<string, double> { ["loss"] = 0.25 });
        Assert.Equal(1, progress.Status.Epoch);
        progress.StepDone(new StepAction.StepDone(5, 7, 8), None, None);
        progress.Count(new StepAction.CountMetrics(1, 4, [new MetricSum(Metric.Accuracy, 3, 4)]));

        Assert.Equal(new Dictionary<string, double> { ["loss"] = 2.5, ["accuracy"] = 10.0 / 16 }, progress.Status.Metrics);
        Assert.Equal(2, progress.Status.Epoch);
        var epochPoint = Assert.Single(progress.Status.Curve, p => p.Validation is not null);
        Assert.Equal(4, epochPoint.Step);
        var checkpoint = progress.Checkpoint(5, [5, 5]);
        Assert.Equal((5L, 7.0, 1), (checkpoint.Step, checkpoint.EpochLossSum, checkpoint.EpochSteps));
        Assert.Equal("Accuracy:3:4", checkpoint.EpochMetrics);
    }

    [Fact]
    public void Resuming_drops_the_curve_after_the_checkpoint_and_counts_the_steps_done_again()
    {
        var before = new JobProgress(Schedule, Queued());
        before.Started(0, "");
        for (var s = 1; s <= 6; s++) before.StepDone(new StepAction.StepDone(s, 1, 8), None, None);

        var resumed = new JobProgress(Schedule, before.Status);
        var redone = resumed.Resumed(new TrainingCheckpoint(3, 3, 3, "", [3, 3]));

        Assert.Equal(3, redone);
        Assert.All(resumed.Status.Curve, p => Assert.True(p.Step <= 3, $"curve point at step {p.Step} after the checkpoint at 3"));
        Assert.Equal(new ResumePoint(resumed.Status.Resumed[0].At, 3, 3), Assert.Single(resumed.Status.Resumed));
    }
}
