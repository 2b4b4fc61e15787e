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
/// Float arrays, their storage objects, kernel closures, the backward pass's and the scope's collections are all reused
/// now, so a step allocates zero for them. The budgets are what remains, measured: per op a Tensor, its shape int[],
/// and the autograd record (GraphNode, its inputs array, the backward closure and its delegate), plus a BroadcastPlan
/// per broadcast multiply — small objects that would need pooled tensors to remove. A budget is that measurement
/// rounded up to a multiple of 256 bytes: lower it when the remainder shrinks; a step that allocates more fails.
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
    public void A_warm_training_step_allocates_at_most_its_budget(string workload)
    {
        using var backend = new CpuBackend(threads: 1);
        var (model, batch, budget) = workload switch
        {
            "mlp" => (new Sequential([784], seed: 1, backend) { new Dense(256, Activation.Relu), new Dense(128, Activation.Relu), new Dense(10) }, 16, Budgets.Mlp),
            "cnn" => (new Sequential([1, 28, 28], seed: 2, backend)
            {
                new Conv2D(32, 3, activation: Activation.Relu), new MaxPool2D(2), new Conv2D(64, 3, activation: Activation.Relu), new MaxPool2D(2),
                new Flatten(), new Dense(128, Activation.Relu), new Dense(10),
            }, 4, Budgets.Cnn),
            _ => (new Sequential([28, 28], seed: 3, backend) { new Lstm(128), new Dense(10) }, 8, Budgets.Lstm),
        };
        model.Compile(new Adam(1e-3), Loss.CrossEntropy);
        var random = new SeededRandom(7);
        var values = new float[batch * ShapeMath.Size(model.InputShape)];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextGaussian();
        var x = Tensor.FromArray(backend, values, [batch, .. model.InputShape]);
        var labels = new float[batch];
        for (var i = 0; i < batch; i++) labels[i] = random.NextInt(10);
        var y = Tensor.FromArray(backend, labels, batch);

        for (var i = 0; i < WarmupSteps; i++) model.TrainBatch(x, y);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredSteps; i++) model.TrainBatch(x, y);
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / MeasuredSteps;

        output.WriteLine($"{workload}: {perStep} bytes per step (budget {budget})");
        Assert.True(perStep <= budget, $"{workload}: a warm training step allocated {perStep} managed bytes; the budget is {budget}");
    }

    private static class Budgets
    {
        public const long Mlp = 3328; // measured 3 160
        public const long Cnn = 7168; // measured 7 064
        public const long Lstm = 3584; // measured 3 512
    }
}
