using DeepMap.Tensors;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Randomness;
using DeepMap.Tensors.Training;

namespace DeepMap.Bench;

/// <summary>A step to time, and the work one step does in the reported unit (GFLOP, or samples).</summary>
internal readonly record struct Prepared(Action Step, double WorkPerStep);

/// <summary>A benchmark case; <see cref="Trains"/> marks the training steps, whose allocation per step is reported.</summary>
internal sealed record Workload(string Name, string Unit, bool Trains, Func<IBackend, Prepared> Prepare);

/// <summary>The workloads of bench/peers/pytorch_cpu.py, defined the same way so that their RESULT lines pair up.</summary>
internal static class Workloads
{
    public static readonly IReadOnlyList<Workload> All =
    [
        new("sgemm_512", "GFLOP/s", false, b => Sgemm(b, 512)),
        new("sgemm_1024", "GFLOP/s", false, b => Sgemm(b, 1024)),
        new("sgemm_2048", "GFLOP/s", false, b => Sgemm(b, 2048)),
        new("mlp_step", "samples/s", true, b => Mlp(b)),
        new("cnn_step", "samples/s", true, b => Cnn(b)),
        new("lstm_step", "samples/s", true, Lstm),
    ];

    /// <summary>Shared with the GPU check (bench/DeepMap.GpuCheck links this file), which times them on a device.</summary>
    internal static Prepared Sgemm(IBackend backend, int n)
    {
        var random = new SeededRandom((ulong)n);
        var a = RandomTensor(backend, random, n, n);
        var b = RandomTensor(backend, random, n, n);
        var c = Tensor.Empty(backend, n, n);
        var shape = new GemmShape(n, n, n);
        return new(() => backend.Gemm(shape, a.Storage, b.Storage, c.Storage), 2.0 * n * n * n / 1e9);
    }

    internal static Prepared Mlp(IBackend backend, int batch = 128)
    {
        var model = new Sequential([784], seed: 1, backend)
        {
            new Dense(256, Activation.Relu),
            new Dense(128, Activation.Relu),
            new Dense(10),
        };
        return TrainStep(model, batch, seed: 1);
    }

    internal static Prepared Cnn(IBackend backend, int batch = 64)
    {
        var model = new Sequential([1, 28, 28], seed: 2, backend)
        {
            new Conv2D(32, 3, activation: Activation.Relu),
            new MaxPool2D(2),
            new Conv2D(64, 3, activation: Activation.Relu),
            new MaxPool2D(2),
            new Flatten(),
            new Dense(128, Activation.Relu),
            new Dense(10),
        };
        return TrainStep(model, batch, seed: 2);
    }

    private static Prepared Lstm(IBackend backend)
    {
        var model = new Sequential([28, 28], seed: 3, backend)
        {
            new Lstm(128),
            new Dense(10),
        };
        return TrainStep(model, batch: 64, seed: 3);
    }

    /// <summary>One Adam step on a fixed random batch against random class indices (as floats, which CrossEntropy reads).</summary>
    private static Prepared TrainStep(Sequential model, int batch, ulong seed)
    {
        model.Compile(new Adam(1e-3), Loss.CrossEntropy);
        var random = new SeededRandom(seed);
        var x = RandomTensor(model.Backend, random, [batch, .. model.InputShape]);
        var labels = new float[batch];
        for (var i = 0; i < batch; i++) labels[i] = random.NextInt(10);
        var y = Tensor.FromArray(model.Backend, labels, batch);
        return new(() => model.TrainBatch(x, y), batch);
    }

    private static Tensor RandomTensor(IBackend backend, SeededRandom random, params int[] shape)
    {
        var values = new float[ShapeMath.Size(shape)];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextGaussian();
        return Tensor.FromArray(backend, values, shape);
    }
}
