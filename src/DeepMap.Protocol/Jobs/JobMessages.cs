using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Jobs;

public static class JobCommands
{
    /// <summary>A job spec as submitted (YAML or JSON); answered with <see cref="JobReplies.JobAccepted"/> or <see cref="JobReplies.JobRefused"/>.</summary>
    public sealed record SubmitJob(string SpecText) : IDeepMapMessage;

    public sealed record CancelJob(string JobId) : IDeepMapMessage;
}

public static class JobQueries
{
    public sealed record GetJob(string JobId) : IDeepMapMessage;

    public sealed record ListJobs : IDeepMapMessage;

    /// <summary>The path of a finished job's model file; answered with <see cref="JobReplies.ModelFile"/>.</summary>
    public sealed record GetModel(string JobId) : IDeepMapMessage;
}

public static class JobReplies
{
    public sealed record JobAccepted(string JobId) : IDeepMapMessage;

    public sealed record JobRefused(string Error, string Path) : IDeepMapMessage;

    public sealed record JobNotFound(string JobId) : IDeepMapMessage;

    public sealed record JobList(IReadOnlyList<JobStatus> Jobs) : IDeepMapMessage;

    /// <summary>Null <see cref="Path"/>: the job has no model yet (still running, or failed before one existed).</summary>
    public sealed record ModelFile(string JobId, string? Path) : IDeepMapMessage;
}
