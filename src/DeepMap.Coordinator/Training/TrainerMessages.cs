using DeepMap.Protocol.Jobs;

namespace DeepMap.Coordinator.Training;

/// <summary>What a trainer tells its job manager (both live on the coordinator; never serialized).</summary>
public static class TrainerEvents
{
    public sealed record Progress(JobStatus Status);

    public sealed record Finished(JobStatus Status);
}

public static class TrainerCommands
{
    public sealed record Cancel;
}
