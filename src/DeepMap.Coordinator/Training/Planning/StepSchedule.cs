namespace DeepMap.Coordinator.Training.Planning;

/// <summary>
/// Where a job's steps fall: a step count s (steps done) ends an epoch, is due a checkpoint, or is the last. Step s is
/// the job's cursor after s steps, so "epoch ends at s" means the s-th step finished it.
/// </summary>
public sealed record StepSchedule(int StepsPerEpoch, int Epochs, int CheckpointEvery)
{
    public long TotalSteps => (long)StepsPerEpoch * Epochs;

    public int Epoch(long step) => (int)(step / StepsPerEpoch);

    public int StepInEpoch(long step) => (int)(step % StepsPerEpoch);

    public bool EndsEpoch(long step) => step % StepsPerEpoch == 0;

    public bool DueCheckpoint(long step) => step % CheckpointEvery == 0;

    public bool IsLast(long step) => step == TotalSteps;

    /// <summary>After such a step the trainer reads the parameter servers' state before any further step begins.</summary>
    public bool IsBoundary(long step) => IsLast(step) || EndsEpoch(step) || DueCheckpoint(step);
}
