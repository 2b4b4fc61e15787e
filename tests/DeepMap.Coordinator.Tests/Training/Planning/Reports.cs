using DeepMap.Coordinator.Training.Planning;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Tests.Training.Planning;

/// <summary>What partitions and shards tell a trainer, built the way the tests need them.</summary>
internal static class Reports
{
    public const string Job = "job-1";

    public static PartitionEvents.GradientSent Sent(int partition, long step, int samples = 8, string? node = null) =>
        new(Job, partition, step, samples, node ?? $"node-{partition}", [new MetricSum(Metric.Accuracy, samples / 2.0, samples)]);

    public static PartitionEvents.StepSkipped Skipped(int partition, long step, string? node = null) => new(Job, partition, step, node ?? $"node-{partition}");

    public static ParameterServerReplies.ShardStepped Stepped(int shard, long step, double lossSum = 8, int samples = 16) => new(Job, shard, step, lossSum, samples);

    public static int[] Asked(this IEnumerable<StepAction> actions, long step) =>
        [.. actions.OfType<StepAction.AskPartition>().Where(a => a.Step == step).Select(a => a.Partition).Order()];

    public static T Single<T>(this IEnumerable<StepAction> actions) where T : StepAction => Assert.Single(actions.OfType<T>());
}
