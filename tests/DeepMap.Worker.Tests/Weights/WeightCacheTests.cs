using Akka.Actor;
using Akka.TestKit.Xunit2;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Training;
using DeepMap.Worker.Weights;
using Xunit.Abstractions;

namespace DeepMap.Worker.Tests.Weights;

/// <summary>
/// A worker node's weight cache with this test as the one parameter-server shard, on a real tensor channel: what the
/// cache asks for arrives at a probe, and weights sent to the cache reach the partitions that asked.
/// </summary>
public sealed class WeightCacheTests : TestKit
{
    private const string Job = "job-1";
    private readonly TensorChannel _channel;

    public WeightCacheTests(ITestOutputHelper output)
        : base("akka.loglevel = WARNING", output)
    {
        _channel = TensorChannel.Start(Sys, new NodeSettings([], "127.0.0.1", 0, "cpu", 1));
    }

    private PartitionSetup Setup() =>
        new(Job, "{}", Loss.CrossEntropy, [], Seed: 1, Partitions: 2, GlobalBatch: 2, TrainRows: 2, FeatureShape: [1], TargetShape: [1],
            ShardOffsets: [0, 4], TrainerPath: "/user/trainer", ShardEndpoints: [_channel.Endpoint], Compression: WireEncoding.Float32);

    /// <summary>
    /// A shard holds a request for its next version until it applies the step, so an answer may take a while; a request
    /// lost with the shard (a coordinator that stopped) is sent again when a partition asks after 2 s, never before,
    /// and to the shard endpoints that partition names.
    /// </summary>
    [Fact]
    public void A_request_still_unanswered_after_two_seconds_is_sent_again_and_the_answer_reaches_every_asker()
    {
        var shard = CreateTestProbe();
        _channel.Deliver(TensorRecipient.ParameterServers, shard);
        var cache = Sys.ActorOf(Props.Create(() => new WeightCache(_channel)));
        _channel.Deliver(TensorRecipient.WeightCache, cache);

        cache.Tell(new WeightCache.GetWeights(Setup(), 5));
        Assert.Equal(5, shard.ExpectMsg<ParameterServerCommands.GetWeights>().Version);
        cache.Tell(new WeightCache.GetWeights(Setup(), 5)); // the node's other partition, at once
        shard.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        Thread.Sleep(TimeSpan.FromSeconds(2));
        // Asked again after the step timed out, by a restarted coordinator whose shard listens elsewhere.
        var moved = CreateTestProbe();
        using var restarted = ActorSystem.Create("restarted", "akka.loglevel = WARNING");
        var elsewhere = TensorChannel.Start(restarted, new NodeSettings([], "127.0.0.1", 0, "cpu", 1));
        elsewhere.Deliver(TensorRecipient.ParameterServers, moved);
        cache.Tell(new WeightCache.GetWeights(Setup() with { ShardEndpoints = [elsewhere.Endpoint] }, 5));
        Assert.Equal(5, moved.ExpectMsg<ParameterServerCommands.GetWeights>().Version);
        shard.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _channel.Send(_channel.Endpoint, TensorRecipient.WeightCache, new ParameterServerReplies.WeightsChunk(Job, 0, 5, 0, [1, 2, 3, 4]));
        for (var asker = 0; asker < 3; asker++)
        {
            var weights = ExpectMsg<WeightCache.Weights>();
            Assert.Equal(5, weights.Version);
            var values = new float[4];
            weights.Values.CopyTo(values);
            Assert.Equal([1f, 2, 3, 4], values);
            weights.Values.Release();
        }
    }
}
