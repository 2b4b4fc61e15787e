namespace DeepMap.Protocol.Messaging;

/// <summary>The names that nodes of both kinds must agree on.</summary>
public static class RegionNames
{
    public const string Partitions = "partition";
    public const string ParameterServers = "ps";
    public const string JobManager = "job-manager";
    public const string WorkerRole = "worker";
    public const string CoordinatorRole = "coordinator";
    public const string ParameterServerRole = "ps";
    public const string SystemName = "deepmap";
}
