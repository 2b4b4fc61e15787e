using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Training;

/// <summary>
/// How a synchronous data-parallel job cuts its training set: P logical partitions, fixed for the job whatever the
/// number of machines. Partition k holds the rows i with i mod P = k, shuffles them with its own seeded stream each
/// epoch, and contributes its share of the global batch to every step (the first B mod P partitions one row more).
/// A partition is only a name: whichever node computes it, it sees the same rows in the same order.
/// </summary>
public sealed class DataParallelPlan
{
    private readonly EpochOrderOf?[] _orders;

    public DataParallelPlan(int rows, int partitions, int globalBatch, ulong seed, bool shuffle = true)
    {
        if (partitions <= 0) throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "there must be at least one partition");
        if (globalBatch < partitions) throw new ArgumentOutOfRangeException(nameof(globalBatch), globalBatch, $"a global batch of {globalBatch} cannot give each of {partitions} partitions a sample");
        if (rows < partitions) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"{rows} training rows cannot fill {partitions} partitions");
        Rows = rows;
        Partitions = partitions;
        GlobalBatch = globalBatch;
        Seed = seed;
        Shuffle = shuffle;
        _orders = new EpochOrderOf?[partitions];
        // Enough steps for every partition to see all its rows; those with larger batches finish first and sit out.
        StepsPerEpoch = Enumerable.Range(0, partitions).Max(k => (PartitionRows(k) + PartitionBatch(k) - 1) / PartitionBatch(k));
    }

    public int Rows { get; }

    public int Partitions { get; }

    public int GlobalBatch { get; }

    public ulong Seed { get; }

    public bool Shuffle { get; }

    public int StepsPerEpoch { get; }

    public int PartitionRows(int partition) => Rows / Partitions + (partition < Rows % Partitions ? 1 : 0);

    public int PartitionBatch(int partition) => GlobalBatch / Partitions + (partition < GlobalBatch % Partitions ? 1 : 0);

    /// <summary>The dataset rows of partition k's minibatch at a step of an epoch; empty when the partition has run out.</summary>
    public int[] BatchRows(int partition, int epoch, int step)
    {
        var order = EpochOrder(partition, epoch);
        var batch = PartitionBatch(partition);
        var start = Math.Min(order.Length, step * batch);
        var count = Math.Min(batch, order.Length - start);
        var rows = new int[count];
        for (var i = 0; i < count; i++) rows[i] = order[start + i] * Partitions + partition;
        return rows;
    }

    /// <summary>
    /// Partition k's sample order in an epoch, drawn once per epoch rather than for every step's batch (a permutation
    /// of all the partition's rows). Each partition keeps its latest; threads that race compute the same order.
    /// </summary>
    private int[] EpochOrder(int partition, int epoch)
    {
        if (_orders[partition] is { } cached && cached.Epoch == epoch) return cached.Order;
        var order = Batches.Order(PartitionRows(partition), Seed, epoch, Shuffle, partition);
        _orders[partition] = new EpochOrderOf(epoch, order);
        return order;
    }

    private sealed record EpochOrderOf(int Epoch, int[] Order);

    /// <summary>The dropout stream of partition k at a global step: a function of (step, partition) only.</summary>
    public ulong RandomStream(long globalStep, int partition) => (ulong)(globalStep * Partitions + partition);
}
