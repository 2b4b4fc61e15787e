using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Tests.Support;
using DeepMap.Tensors.Training;

namespace DeepMap.Tensors.Tests.Training;

public sealed class DataParallelTests
{
    private static Sequential Model(IBackend backend) => Compiled(new Sequential([6], seed: 4, backend)
    {
        new Dense(16, Activation.Tanh), new Dropout(0.2), new Dense(3),
    });

    private static Sequential Compiled(Sequential model)
    {
        model.Compile(new Adam(0.01), Loss.CrossEntropy);
        return model;
    }

    /// <summary>Learnable data: the class is which of the first three features is largest.</summary>
    private static (Tensor X, Tensor Y) Data(IBackend backend, int rows)
    {
        var x = RandomArrays.Uniform(rows * 6, -1, 1, 8);
        var y = Enumerable.Range(0, rows).Select(r => (double)x.AsSpan(r * 6, 3).IndexOf(x.AsSpan(r * 6, 3).ToArray().Max())).ToArray();
        return (Tensor.FromDoubles(backend, x, rows, 6), Tensor.FromDoubles(backend, y, rows));
    }

    [Fact]
    public void Every_row_is_in_exactly_one_partition_batch_per_epoch_and_batches_add_up_to_the_global_batch()
    {
        var plan = new DataParallelPlan(rows: 103, partitions: 4, globalBatch: 10, seed: 5);
        Assert.Equal(13, plan.StepsPerEpoch);
        Assert.Equal(10, Enumerable.Range(0, 4).Sum(plan.PartitionBatch));
        var seen = Enumerable.Range(0, plan.StepsPerEpoch)
            .SelectMany(s => Enumerable.Range(0, 4).SelectMany(k => plan.BatchRows(k, epoch: 1, s)))
            .ToArray();
        Assert.Equal(Enumerable.Range(0, 103), seen.Order());
        Assert.All(plan.BatchRows(2, 1, 3), row => Assert.Equal(2, row % 4));
        Assert.NotEqual(plan.BatchRows(0, 1, 0), plan.BatchRows(0, 2, 0));
    }

    [Fact]
    public void One_partition_trains_exactly_like_fit()
    {
        var backend = TestBackends.TwoThreads;
        var (x, y) = Data(backend, 70);
        var fitted = Model(backend);
        fitted.Fit(x, y, epochs: 2, batchSize: 16);
        var parallel = Model(backend);
        new SynchronousDataParallel(parallel, x, y, new DataParallelPlan(70, 1, 16, parallel.Seed)).Train(2);
        Assert.Equal(WeightsDigest.Sha256(fitted.Parameters), WeightsDigest.Sha256(parallel.Parameters));
    }

    [Fact]
    public void Several_partitions_are_deterministic_and_learn()
    {
        var backend = TestBackends.TwoThreads;
        var (x, y) = Data(backend, 120);
        string Run(out double[] losses)
        {
            var model = Model(backend);
            losses = new SynchronousDataParallel(model, x, y, new DataParallelPlan(120, 4, 24, model.Seed)).Train(6);
            return WeightsDigest.Sha256(model.Parameters);
        }
        var first = Run(out var losses);
        Assert.Equal(first, Run(out _));
        Assert.True(losses[^1] < losses[0] * 0.8, $"losses {string.Join(", ", losses)}");
    }

    [Fact]
    public void Summing_a_slice_gives_the_same_bits_as_summing_the_whole_vector()
    {
        var backend = TestBackends.TwoThreads;
        const int length = 1000, cut = 333;
        var parts = Enumerable.Range(0, 3).Select(k => RandomArrays.Uniform(length, -1, 1, (ulong)(20 + k)).Select(v => (float)v).ToArray()).ToArray();
        int[] samples = [7, 5, 4];
        float[] Sum(int from, int count)
        {
            var acc = Tensor.Zeros(backend, count);
            for (var k = 0; k < parts.Length; k++)
                GradientSum.Accumulate(backend, Tensor.FromArray(backend, parts[k].AsSpan(from, count), count).Storage, acc.Storage, count, samples[k], 16);
            return acc.ToArray();
        }
        var whole = Sum(0, length);
        var sliced = Sum(0, cut).Concat(Sum(cut, length - cut)).ToArray();
        Assert.Equal(whole, sliced);
    }

    [Fact]
    public void The_weights_digest_changes_with_one_bit_and_not_with_nothing()
    {
        var backend = TestBackends.SingleThread;
        var a = Model(backend);
        var b = Model(backend);
        Assert.Equal(WeightsDigest.Sha256(a.Parameters), WeightsDigest.Sha256(b.Parameters));
        var values = b.Parameters[0].Value.ToArray();
        values[3] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(values[3]) ^ 1);
        backend.Upload(values, b.Parameters[0].Value.Storage);
        Assert.NotEqual(WeightsDigest.Sha256(a.Parameters), WeightsDigest.Sha256(b.Parameters));
        Assert.Matches("^[0-9a-f]{64}$", WeightsDigest.Sha256(a.Parameters));
    }

    [Fact]
    public void A_parameter_vector_round_trips()
    {
        var model = Model(TestBackends.SingleThread);
        var values = new float[ParameterVector.Length(model.Parameters)];
        ParameterVector.ReadValues(model.Parameters, values);
        Assert.Equal(6 * 16 + 16 + 16 * 3 + 3, values.Length);
        var other = Model(TestBackends.TwoThreads);
        for (var i = 0; i < values.Length; i++) values[i] += 1;
        ParameterVector.WriteValues(other.Parameters, values);
        var back = new float[values.Length];
        ParameterVector.ReadValues(other.Parameters, back);
        Assert.Equal(values, back);
        Assert.Throws<ArgumentException>(() => ParameterVector.WriteValues(other.Parameters, new float[3]));
    }

    /// <summary>Weights arrive in chunks that cut across parameters: written piece by piece they make the same vector.</summary>
    [Fact]
    public void A_parameter_vector_written_in_pieces_across_parameters_is_the_whole_vector()
    {
        var model = Model(TestBackends.SingleThread);
        var values = Enumerable.Range(0, ParameterVector.Length(model.Parameters)).Select(i => i * 0.25f - 3).ToArray();

        foreach (var (offset, length) in new[] { (0, 7), (7, 100), (107, 50), (157, values.Length - 157) })
            ParameterVector.WriteValues(model.Parameters, offset, values.AsSpan(offset, length));

        var back = new float[values.Length];
        ParameterVector.ReadValues(model.Parameters, back);
        Assert.Equal(values, back);
        Assert.Throws<ArgumentException>(() => ParameterVector.WriteValues(model.Parameters, values.Length - 2, new float[3]));
        Assert.Throws<ArgumentException>(() => ParameterVector.WriteValues(model.Parameters, -1, new float[1]));
    }
}
