namespace DeepMap.Protocol.Jobs;

/// <summary>Where a job stands: what the API returns for it.</summary>
public sealed record JobStatus(
    string Id,
    string Name,
    JobState State,
    int Epoch,
    int Epochs,
    long Step,
    long Steps,
    double? Loss,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> Validation,
    IReadOnlyDictionary<string, double> Test,
    double SamplesPerSecond,
    string? WeightsSha256,
    string? Error,
    string? Waiting,
    DateTimeOffset Submitted,
    DateTimeOffset? Finished)
{
    /// <summary>The loss over training, at most a few hundred points, and validation metrics at epoch ends: what the dashboard plots.</summary>
    public IReadOnlyList<CurvePoint> Curve { get; init; } = [];

    /// <summary>
    /// Mean wall time of a step since training started, or resumed after a coordinator restart: what a step costs,
    /// without the time the job queued or loaded its data. 0 until the first step.
    /// </summary>
    public double SecondsPerStep { get; init; }

    /// <summary>Samples each worker node has computed for this job, by node address: per-worker throughput.</summary>
    public IReadOnlyDictionary<string, long> NodeSamples { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// With backup partitions: by node, how many partition-steps it hosted that a step closed without (too slow, or
    /// still busy with an older step): where the stragglers are.
    /// </summary>
    public IReadOnlyDictionary<string, long> NodeLeftOut { get; init; } = new Dictionary<string, long>();

    /// <summary>Each resumption from a checkpoint after the coordinator restarted, oldest first.</summary>
    public IReadOnlyList<ResumePoint> Resumed { get; init; } = [];
}

/// <summary>
/// The job went on from the checkpoint at Step when the coordinator came back at At; the StepsRedone it had done
/// beyond that checkpoint were computed again.
/// </summary>
public sealed record ResumePoint(DateTimeOffset At, long Step, long StepsRedone);

/// <summary>One point of a job's curve: the step, the epoch it falls in (fractional), the training loss, and at epoch ends the validation metrics.</summary>
public sealed record CurvePoint(long Step, double Epoch, double Loss, IReadOnlyDictionary<string, double>? Validation)
{
    /// <summary>At epoch ends, the epoch's training metrics besides the loss (accuracy, mae), measured on its batches.</summary>
    public IReadOnlyDictionary<string, double>? Training { get; init; }
}
