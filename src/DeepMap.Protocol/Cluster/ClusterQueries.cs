using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Cluster;

public static class ClusterQueries
{
    public sealed record GetDevices : IDeepMapMessage;

    /// <summary>Each worker's device, by node address.</summary>
    public sealed record Devices(IReadOnlyDictionary<string, string> ByAddress) : IDeepMapMessage;
}
