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
    DateTimeOffset? Finished);
