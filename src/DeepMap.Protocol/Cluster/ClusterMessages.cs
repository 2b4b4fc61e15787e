using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Cluster;

public static class WorkerEvents
{
    /// <summary>A worker announces itself and its device to the coordinator (repeated until acknowledged).</summary>
    public sealed record WorkerUp(string Address, string Device) : IDeepMapMessage;

    public sealed record WorkerAcknowledged : IDeepMapMessage;
}
