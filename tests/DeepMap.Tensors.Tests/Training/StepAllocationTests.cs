using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Randomness;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Tensors.Tests.Training;

[CollectionDefinition(nameof(StepAllocationCollection), DisableParallelization = true)]
public sealed class StepAllocationCollection;

/// <summary>
/// Managed bytes a warmed-up training step allocates, for the CPU benchmark's three models (bench/DeepMap.Bench,
/// Workloads.cs) at small batches on a one-thread CPU backend. With one thread every kernel runs on the calling thread
/// (the pool has no workers), so the calling thread's own allocation count is exact and other tests' threads cannot
/// disturb it; the collection still runs alone.
/// </summary>
/// <remarks>
/// Everything a step touches is reused once a step has run: float arrays and their storage objects, tensor objects
/// and their shape arrays (TensorPool), graph nodes (one pool per op kind), kernel bodies and their state, broadcast and
/// permute plans, the backward pass's and the scope's collections, and the optimizer's state. Any new per-step object
/// fails this test.
/// </remarks>
[Collection(nameof(StepAllocationCollection))]
public sealed class StepAllocationTests(ITestOutputHelper output)
{
    private const int WarmupSteps = 4;
    private const int MeasuredSteps = 8;

    [Theory]
    [InlineData("mlp")]
    [InlineData("cnn")]
    [InlineData("lstm")]
    [InlineData("regression")]
    [InlineData("rnn")]
    public void A_warm_training_step_allocates_nothing(string workload)
    {
        using var backend = new CpuBackend(threads: 1);
        var (model, batch, loss, optimizer) = workload switch
        {
            "mlp" => (new Sequential([784], seed: 1, backend) { new Dense(256, Activation.Relu), new Dense(128, Activation.Relu), new Dense(10) }, 16, Loss.CrossEntropy, (Optimizer)new Adam(1e-3)),
            "cnn" => (new Sequential([1, 28, 28], seed: 2, backend)
            {
                new Conv2D(32, 3, activation: Activation.Relu), new MaxPool2D(2), new Conv2D(64, 3, activation: Activation.Relu), new MaxPool2D(2),
                new Flatten(), new Dense(128, Activation.Relu), new Dense(10),
            }, 4, Loss.CrossEntropy, new Adam(1e-3)),
            "lstm" => (new Sequential([28, 28], seed: 3, backend) { new Lstm(128), new Dense(10) }, 8, Loss.CrossEntropy, new Adam(1e-3)),
            // The seed's regression shape (MSE through Sub, Square and Mean) with dropout and momentum.
            "regression" => (new Sequential([8], seed: 4, backend) { new Dense(64, Activation.Relu), new Dropout(0.2), new Dense(1) }, 16, Loss.MeanSquaredError, new Momentum(0.01, nesterov: true)),
            _ => (new Sequential([28, 28], seed: 5, backend) { new SimpleRnn(32, returnSequences: true), new Flatten(), new Dense(10, Activation.Softmax) }, 8, Loss.CrossEntropy, new Sgd(0.01)),

        };
        model.Compile(optimizer, loss);
        var random = new SeededRandom(7);
        var values = new float[batch * ShapeMath.Size(model.InputShape)];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextGaussian();
        var x = Tensor.FromArray(backend, values, [batch, .. model.InputShape]);
        var labels = new float[batch];
        for (var i = 0; i < batch; i++) labels[i] = loss == Loss.MeanSquaredError ? (float)random.NextGaussian() : random.NextInt(10);
        var y = Tensor.FromArray(backend, labels, batch);

        for (var i = 0; i < WarmupSteps; i++) model.TrainBatch(x, y);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredSteps; i++) model.TrainBatch(x, y);
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / MeasuredSteps;

        output.WriteLine($"{workload}: {perStep} bytes per step");
        Assert.True(perStep == 0, $"{workload}: a warm training step allocated {perStep} managed bytes");
    }

    [Fact]
    public void Fit_with_a_metric_allocates_nothing_from_one_step_to_the_next()
    {
        using var backend = new CpuBackend(threads: 1);
        var model = new Sequential([784], seed: 1, backend) { new Dense(64, Activation.Relu), new Dense(10) };
        model.Compile(new Adam(1e-3), Loss.CrossEntropy, Metric.Accuracy);
        const int batch = 16, steps = 16;
        var random = new SeededRandom(9);
        var values = new float[batch * steps * 784];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextGaussian();
        var labels = new float[batch * steps];
        for (var i = 0; i < labels.Length; i++) labels[i] = random.NextInt(10);
        var x = Tensor.FromArray(backend, values, batch * steps, 784);
        var y = Tensor.FromArray(backend, labels, batch * steps);

        // Allocated bytes when each step of the second epoch was reported; the callback itself allocates nothing.
        var marks = new long[steps];
        model.Fit(x, y, epochs: 2, batchSize: batch, onProgress: p =>
        {
            if (p.Epoch == 2 && p.EpochMetrics is null) marks[p.Step - 1] = GC.GetAllocatedBytesForCurrentThread();
        });

        var perStep = (marks[^1] - marks[0]) / (steps - 1);
        output.WriteLine($"Fit: {perStep} bytes per step");
        Assert.True(perStep == 0, $"a step of Fit (with accuracy) allocated {perStep} managed bytes");
    }
}
