using Akka.Cluster.Sharding;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;

namespace DeepMap.Protocol.Tests.Messaging;

public sealed class MessageExtractorTests
{
    private static PartitionCommands.ComputeGradient Compute(string job, int partition) =>
        new(MessageSamples.Setup with { JobId = job }, partition, Step: 3);

    /// <summary>How a shard region asks: the entity first, then the shard of that entity.</summary>
    private static string ShardOf(IMessageExtractor extractor, object message) =>
        extractor.ShardId(extractor.EntityId(message) ?? throw new InvalidOperationException($"no entity for {message}"), message);

    private static ParameterServerCommands.GradientSlice Slice(string job, int shard) => new(job, shard, 41, 3, 64, 2.5, 0, [1f]);

    [Fact]
    public void A_partition_message_goes_to_the_entity_job_slash_partition()
    {
        var extractor = new PartitionMessageExtractor();

        Assert.Equal("job-7/3", extractor.EntityId(Compute("job-7", 3)));
        Assert.Equal("job-7/0", extractor.EntityId(Compute("job-7", 0)));
        Assert.Equal("job-7/3", extractor.EntityId(new PartitionCommands.ReleasePartition("job-7", 3)));
        Assert.Equal("job-7/3", PartitionMessageExtractor.EntityName("job-7", 3));
    }

    [Fact]
    public void A_shard_message_goes_to_the_entity_job_slash_shard()
    {
        var extractor = new ParameterServerMessageExtractor();

        Assert.Equal("job-7/2", extractor.EntityId(Slice("job-7", 2)));
        Assert.Equal("job-7/2", extractor.EntityId(new ParameterServerCommands.GetWeights("job-7", 2, 42, "10.0.0.2:40003", WireEncoding.Float32)));
        Assert.Equal("job-7/2", extractor.EntityId(new ParameterServerCommands.StopShard("job-7", 2)));
        Assert.Equal("job-7/2", extractor.EntityId(new ParameterServerCommands.InitializeShard("job-7", 2, 10, 4, "{}", "t", 0, 0, 0, 1, ParameterServerStepping.AllPartitions, 0, [1f])));
    }

    public static TheoryData<string> Samples => MessageSamples.Names();

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_extractor_routes_only_its_own_messages(string name)
    {
        var message = MessageSamples.Named(name);

        var partition = new PartitionMessageExtractor().EntityId(message);
        var shard = new ParameterServerMessageExtractor().EntityId(message);

        if (message is IPartitionMessage p) Assert.Equal($"{p.JobId}/{p.Partition}", partition);
        else Assert.Null(partition);
        if (message is IParameterServerMessage s) Assert.Equal($"{s.JobId}/{s.Shard}", shard);
        else Assert.Null(shard);
    }

    [Fact]
    public void Extractors_return_null_for_messages_that_are_not_protocol_messages()
    {
        foreach (var message in new object[] { "job-7/3", 3, MessageSamples.Setup, new JobReplies.JobAccepted("job-7") })
        {
            Assert.Null(new PartitionMessageExtractor().EntityId(message));
            Assert.Null(new ParameterServerMessageExtractor().EntityId(message));
        }
    }

    [Fact]
    public void Every_message_for_one_entity_lands_on_the_same_shard()
    {
        var partitions = new PartitionMessageExtractor();
        var shards = new ParameterServerMessageExtractor();

        var partitionShard = ShardOf(partitions, Compute("job-7", 3));
        Assert.Equal(partitionShard, ShardOf(new PartitionMessageExtractor(), Compute("job-7", 3)));
        Assert.Equal(partitionShard, ShardOf(partitions, new PartitionCommands.ReleasePartition("job-7", 3)));
        Assert.Equal(partitionShard, partitions.ShardId("job-7/3", null));

        var psShard = ShardOf(shards, Slice("job-7", 2));
        Assert.Equal(psShard, ShardOf(new ParameterServerMessageExtractor(), Slice("job-7", 2)));
        Assert.Equal(psShard, ShardOf(shards, new ParameterServerCommands.GetWeights("job-7", 2, 1, "10.0.0.2:40003", WireEncoding.Float32)));
        Assert.Equal(psShard, ShardOf(shards, new ParameterServerCommands.StopShard("job-7", 2)));
        Assert.Equal(psShard, shards.ShardId("job-7/2", null));
    }

    [Fact]
    public void Partition_k_of_every_job_lands_on_shard_k()
    {
        var extractor = new PartitionMessageExtractor(maxShards: 10);
        Assert.Equal(["0", "1", "2", "3"], Enumerable.Range(0, 4).Select(p => ShardOf(extractor, Compute("job-7", p))));
        Assert.Equal(["0", "1", "2", "3"], Enumerable.Range(0, 4).Select(p => ShardOf(extractor, Compute("3f2a9c1e-0b7d-4e59-9c3a-5d1f0e8b7a64", p))));
        Assert.Equal("3", ShardOf(extractor, Compute("job-7", 13)));
        Assert.Equal("3", extractor.ShardId("a/b/13"));
        Assert.Throws<ArgumentException>(() => extractor.ShardId("job-7"));
    }

    /// <summary>
    /// The parameter-server shards' hash must not be the per-process randomized string.GetHashCode: every node must
    /// compute the same shard, so these values were computed once and must hold in every process.
    /// </summary>
    [Theory]
    [InlineData("job-7", 2, "88")]
    [InlineData("3f2a9c1e-0b7d-4e59-9c3a-5d1f0e8b7a64", 5, "84")]
    public void A_parameter_server_shards_shard_is_the_same_in_every_process(string job, int shard, string expected)
    {
        Assert.Equal(expected, ShardOf(new ParameterServerMessageExtractor(), Slice(job, shard)));
    }
}
