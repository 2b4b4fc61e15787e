namespace DeepMap.Protocol.Cluster;

/// <summary>Keys of the Akka.Hosting actor registry, shared by both node kinds.</summary>
public sealed class PartitionRegionKey;

public sealed class ParameterServerRegionKey;

public sealed class JobManagerKey;
