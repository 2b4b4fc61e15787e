using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.Training;
using DeepMap.Tensors.Training;

namespace DeepMap.Coordinator.Training;

/// <summary>
/// Serves each partition its training rows from the job's loaded data, in chunks under the remoting frame size:
/// partition k holds the rows whose index is ≡ k (mod P), in order.
/// </summary>
public sealed class PartitionDataServer(string jobId, SampleSet train, DataParallelPlan plan)
{
    public DataReplies.PartitionData Serve(DataQueries.GetPartitionData m)
    {
        var rows = plan.PartitionRows(m.Partition);
        var rowsPerChunk = Math.Max(1, Chunking.ChunkFloats / Math.Max(1, train.FeatureLength));
        var chunks = Math.Max(1, (rows + rowsPerChunk - 1) / rowsPerChunk);
        var first = m.Chunk * rowsPerChunk;
        var count = Math.Max(0, Math.Min(rowsPerChunk, rows - first));
        var global = Enumerable.Range(first, count).Select(local => local * plan.Partitions + m.Partition).ToArray();
        var slice = train.Take(global);
        return new DataReplies.PartitionData(jobId, m.Partition, m.Chunk, chunks, first, count, slice.Features, slice.Targets);
    }
}
