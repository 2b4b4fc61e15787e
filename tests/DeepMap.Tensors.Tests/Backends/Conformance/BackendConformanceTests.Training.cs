using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Ops;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Tests.Support;
using DeepMap.Tensors.Training;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

/// <summary>The kernels composed as autograd and training compose them: outputs, gradients and loss curves.</summary>
public abstract partial class BackendConformanceTests
{
    private static readonly Dictionary<string, (Func<Tensor[], Tensor> F, Input[] Inputs)> Composites = new()
    {
        ["dense_relu_softmax_cross_entropy"] = (x => Op.CrossEntropy(Op.Linear(x[0], x[1], x[2], Activation.Relu), x[3]),
            [Input.Of([6, 9]), Input.Of([9, 5], seed: 2), Input.Of([5], seed: 3), Input.Constant(RandomArrays.ClassIndices(6, 5, 4), 6)]),
        ["conv_relu_maxpool"] = (x => Op.MaxPool2D(Op.Conv2D(x[0], x[1], x[2], activation: Activation.Relu)),
            [Input.Of([2, 2, 6, 6]), Input.Of([3, 2, 3, 3], seed: 2), Input.Of([3], seed: 3)]),
        ["lstm_sequence"] = (x => Op.Lstm(x[0], x[1], x[2], x[3], true),
            [Input.Of([2, 3, 4]), Input.Of([4, 20], -0.5, 0.5, 2), Input.Of([5, 20], -0.5, 0.5, 3), Input.Of([20], seed: 4)]),
        ["broadcast_mean_square"] = (x => Op.Mean(Op.Square(Op.Sub(x[0], x[1]))),
            [Input.Of([4, 3, 5]), Input.Of([1, 3, 1], seed: 2)]),
    };

    [BackendFact]
    public void Composite_ops_give_the_references_outputs_and_gradients()
    {
        foreach (var (name, (f, inputs)) in Composites)
        {
            var expected = OutputAndGradients(TestBackends.Reference, f, inputs);
            var actual = OutputAndGradients(Backend, f, inputs);
            for (var i = 0; i < expected.Length; i++)
                GradientCheck.AssertClose($"{name} on {Backend.Name}: {(i == 0 ? "output" : $"gradient of input {i - 1}")}", expected[i], actual[i], TanhAtol);
        }
    }

    private static double[][] OutputAndGradients(IBackend backend, Func<Tensor[], Tensor> f, Input[] inputs)
    {
        using var scope = TensorScope.Open();
        var tensors = inputs.Select(i =>
        {
            var t = Tensor.FromDoubles(backend, i.Values, i.Shape);
            t.RequiresGrad = i.Differentiable;
            return t;
        }).ToArray();
        var y = f(tensors);
        var weights = Tensor.FromDoubles(backend, RandomArrays.Uniform(y.Size, -1, 1, 99), y.Shape);
        Op.Sum(Op.Mul(y, weights)).Backward();
        return [y.ToDoubleArray(), .. tensors.Where((_, i) => inputs[i].Differentiable).Select(t => t.Grad?.ToDoubleArray() ?? new double[t.Size])];
    }

    [BackendFact]
    public void A_small_mlp_trains_with_the_cpu_backends_loss_curve() => AssertSameLossCurve(SmallMlp, [20], 4);

    [BackendFact]
    public void A_small_cnn_trains_with_the_cpu_backends_loss_curve() => AssertSameLossCurve(SmallCnn, [1, 8, 8], 3);

    internal static Sequential SmallMlp(IBackend backend)
    {
        var model = new Sequential([20], seed: 11, backend) { new Dense(16, Activation.Relu), new Dense(12, Activation.Tanh), new Dense(4) };
        model.Compile(new Adam(0.01), Loss.CrossEntropy);
        return model;
    }

    internal static Sequential SmallCnn(IBackend backend)
    {
        var model = new Sequential([1, 8, 8], seed: 7, backend)
        {
            new Conv2D(4, 3, activation: Activation.Relu),
            new MaxPool2D(2),
            new Flatten(),
            new Dense(16, Activation.Relu),
            new Dense(3),
        };
        model.Compile(new Adam(0.01), Loss.CrossEntropy);
        return model;
    }

    /// <summary>Six steps on fixed batches, against the CPU backend and the float64 reference.</summary>
    private void AssertSameLossCurve(Func<IBackend, Sequential> build, int[] inputShape, int classes)
    {
        const int batch = 12, steps = 6;
        var features = RandomArrays.Uniform(batch * inputShape.Aggregate(1, (a, b) => a * b), 0, 1, 21);
        var labels = RandomArrays.ClassIndices(batch, classes, 22);
        double[] Curve(IBackend backend)
        {
            var model = build(backend);
            using var x = Tensor.FromDoubles(backend, features, [batch, .. inputShape]);
            using var y = Tensor.FromDoubles(backend, labels, batch);
            return Enumerable.Range(0, steps).Select(_ => (double)model.TrainBatch(x, y)).ToArray();
        }
        var actual = Curve(Backend);
        GradientCheck.AssertClose($"loss curve on {Backend.Name} vs the CPU backend", Curve(TestBackends.SingleThread), actual, TanhAtol);
        GradientCheck.AssertClose($"loss curve on {Backend.Name} vs float64", Curve(TestBackends.Reference), actual, TanhAtol);
        Assert.True(actual[^1] < actual[0], $"loss did not fall: {string.Join(", ", actual)}");
    }
}
