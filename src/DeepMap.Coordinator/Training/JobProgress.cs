using System.Diagnostics;
using DeepMap.Coordinator.Training.Planning;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// A running job's status as its steps come in: loss and throughput after each step's worth, the epoch's loss and
/// training metrics at its end, the curve the dashboard plots, and what a checkpoint keeps of them.
/// </summary>
public sealed class JobProgress
{
    private readonly StepSchedule _schedule;
    private readonly EpochMetrics _epochMetrics = new();
    private readonly Stopwatch _clock = new();
    private double _epochLossSum;
    private int _epochSteps;
    private long _samplesDone;
    private long _stepsAtClockStart;

    public JobProgress(StepSchedule schedule, JobStatus status)
    {
        _schedule = schedule;
        Status = status with { State = JobState.Running, Error = null, Finished = null };
    }

    public JobStatus Status { get; private set; }

    /// <summary>A job whose coordinator stopped before its first checkpoint starts over, and says so.</summary>
    public void Restarted() =>
        Status = Status with { Curve = [], Resumed = [.. Status.Resumed, new ResumePoint(DateTimeOffset.UtcNow, 0, Status.Step)] };

    /// <summary>Goes on from a checkpoint; the curve drops what came after it. Returns the steps done since, computed again.</summary>
    public long Resumed(TrainingCheckpoint checkpoint)
    {
        _epochLossSum = checkpoint.EpochLossSum;
        _epochSteps = checkpoint.EpochSteps;
        _epochMetrics.Resume(checkpoint.EpochMetrics, checkpoint.Step);
        var redone = Math.Max(0, Status.Step - checkpoint.Step);
        Status = Status with
        {
            Curve = [.. Status.Curve.Where(p => p.Step <= checkpoint.Step)],
            Resumed = [.. Status.Resumed, new ResumePoint(DateTimeOffset.UtcNow, checkpoint.Step, redone)],
        };
        return redone;
    }

    /// <summary>Training starts (or resumes) with this many steps' worth done: throughput counts from here.</summary>
    public void Started(long stepsDone, string waiting)
    {
        Status = Status with { Steps = _schedule.TotalSteps, Step = stepsDone, Waiting = waiting };
        _stepsAtClockStart = stepsDone;
        _clock.Start();
    }

    public void Waiting(string? reason) => Status = Status with { Waiting = reason };

    public void Count(StepAction.CountMetrics m) => _epochMetrics.Add(m.Partition, m.Step, m.Metrics);

    /// <summary>A step's worth is done; a loss that is not finite is the job's failure, returned as its reason.</summary>
    public string? StepDone(StepAction.StepDone m, IReadOnlyDictionary<string, long> nodeSamples, IReadOnlyDictionary<string, long> nodeLeftOut)
    {
        var done = m.Steps - 1;
        if (!double.IsFinite(m.Loss))
            return $"loss became {m.Loss} at epoch {_schedule.Epoch(done) + 1}, step {_schedule.StepInEpoch(done) + 1}; the last good checkpoint is kept";
        _epochLossSum += m.Loss;
        _epochSteps++;
        _samplesDone += m.Samples;
        var seconds = _clock.Elapsed.TotalSeconds;
        Status = Status with
        {
            Epoch = (int)((m.Steps + _schedule.StepsPerEpoch - 1) / _schedule.StepsPerEpoch),
            Step = m.Steps,
            Loss = m.Loss,
            SamplesPerSecond = seconds > 0 ? _samplesDone / seconds : 0,
            // Training time over the steps done in it: a resumed job counts from its checkpoint, not from step 0.
            SecondsPerStep = m.Steps > _stepsAtClockStart ? seconds / (m.Steps - _stepsAtClockStart) : 0,
            Waiting = null,
            NodeSamples = new Dictionary<string, long>(nodeSamples),
            NodeLeftOut = new Dictionary<string, long>(nodeLeftOut),
        };
        // A few hundred points over the run; an epoch's end gets its own, with the epoch's metrics.
        if ((m.Steps == 1 || m.Steps % Math.Max(1, _schedule.TotalSteps / 200) == 0) && !_schedule.EndsEpoch(m.Steps))
            Status = Status with { Curve = [.. Status.Curve, new CurvePoint(m.Steps, (double)m.Steps / _schedule.StepsPerEpoch, m.Loss, null)] };
        return null;
    }

    /// <summary>The epoch that ends at <paramref name="step"/>: its mean loss and training metrics, and the validation metrics measured then.</summary>
    public void EpochEnded(long step, IReadOnlyDictionary<string, double> validation)
    {
        var metrics = new Dictionary<string, double> { ["loss"] = _epochLossSum / Math.Max(1, _epochSteps) };
        var training = _epochMetrics.Close(step);
        foreach (var (name, value) in training) metrics[name] = value;
        _epochLossSum = 0;
        _epochSteps = 0;
        var point = new CurvePoint(step, (double)step / _schedule.StepsPerEpoch, metrics["loss"], validation.Count > 0 ? validation : null)
        {
            Training = training.Count > 0 ? training : null,
        };
        Status = Status with { Epoch = _schedule.Epoch(step), Metrics = metrics, Validation = validation, Curve = [.. Status.Curve, point] };
    }

    /// <summary>The checkpoint of the cursor at <paramref name="step"/>.</summary>
    public TrainingCheckpoint Checkpoint(long step, IReadOnlyList<long> partitionSteps) =>
        new(step, _epochLossSum, _epochSteps, _epochMetrics.Save(), [.. partitionSteps]);

    public void Tested(IReadOnlyDictionary<string, double> test, string weightsSha256) =>
        Status = Status with { Test = test, WeightsSha256 = weightsSha256, Epoch = _schedule.Epochs, Step = _schedule.TotalSteps };

    public void Ended(JobState state, string? error) =>
        Status = Status with { State = state, Error = error, Waiting = null, Finished = DateTimeOffset.UtcNow };
}
