using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Tests.Support;
using DeepMap.Tensors.Training;
using Xunit.Sdk;

namespace DeepMap.Tensors.Tests.Layers;

/// <summary>
/// Every layer inside a model: the parameters' gradients from Sequential.ComputeGradients against central differences
/// in float64, and the float32 model (same seed, so the same initial weights) against the float64 one.
/// </summary>
public sealed class LayerGradientTests
{
    private sealed record Case(int[] Input, Func<Layer[]> Layers, Loss Loss, double Tolerance, Func<int, double[]>? Inputs = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["dense_tanh"] = new([5], () => [new Dense(4, Activation.Tanh), new Dense(3)], Loss.CrossEntropy, GradientCheck.Smooth),
        ["dense_sigmoid_mse"] = new([5], () => [new Dense(4, Activation.Sigmoid), new Dense(2)], Loss.MeanSquaredError, GradientCheck.Smooth),
        ["dense_relu"] = new([5], () => [new Dense(6, Activation.Relu), new Dense(3)], Loss.CrossEntropy, GradientCheck.AcrossKinks),
        ["dense_softmax_mse"] = new([4], () => [new Dense(3, Activation.Softmax)], Loss.MeanSquaredError, GradientCheck.Smooth),
        ["conv_pool_flatten_dense"] = new([2, 6, 6], () => [new Conv2D(3, 3, activation: Activation.Tanh), new MaxPool2D(2), new Flatten(), new Dense(3)], Loss.CrossEntropy, GradientCheck.AcrossKinks),
        ["conv_valid_stride2_relu"] = new([1, 7, 7], () => [new Conv2D(2, 3, stride: 2, padding: Padding.Valid, activation: Activation.Relu), new Flatten(), new Dense(2)], Loss.CrossEntropy, GradientCheck.AcrossKinks),
        ["dropout"] = new([6], () => [new Dense(5, Activation.Tanh), new Dropout(0.3), new Dense(2)], Loss.CrossEntropy, GradientCheck.Smooth),
        ["simple_rnn"] = new([4, 3], () => [new SimpleRnn(5), new Dense(2)], Loss.CrossEntropy, GradientCheck.Smooth),
        ["simple_rnn_sequences"] = new([4, 3], () => [new SimpleRnn(3, returnSequences: true), new Flatten(), new Dense(2)], Loss.CrossEntropy, GradientCheck.Smooth),
        ["lstm"] = new([4, 3], () => [new Lstm(5), new Dense(2)], Loss.CrossEntropy, GradientCheck.Smooth),
        ["lstm_stacked_sequences"] = new([3, 2], () => [new Lstm(3, returnSequences: true), new Lstm(4), new Dense(2)], Loss.CrossEntropy, GradientCheck.Smooth),
        ["embedding_lstm"] = new([4], () => [new Embedding(7, 3), new Lstm(4), new Dense(2)], Loss.CrossEntropy, GradientCheck.Smooth,
            n => RandomArrays.ClassIndices(n, 7, 21)),
        ["activation_layer_binary"] = new([3], () => [new Dense(2), new ActivationLayer(Activation.Tanh), new Dense(1)], Loss.BinaryCrossEntropy, GradientCheck.Smooth),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Parameter_gradients_match_central_differences_and_float32_matches_float64(string name)
    {
        var c = Cases[name];
        const int batch = 3;
        var featureCount = c.Input.Aggregate(1, (a, b) => a * b);
        var x = c.Inputs?.Invoke(batch * featureCount) ?? RandomArrays.Uniform(batch * featureCount, -1, 1, 11);

        var reference = Build(c, TestBackends.Reference);
        var y = Targets(c.Loss, reference.OutputShape, batch);
        var analytic = Gradients(reference, x, y, c);
        for (var p = 0; p < reference.Parameters.Count; p++)
        {
            var numeric = Numeric(reference, reference.Parameters[p].Value, x, y, c);
            var error = GradientCheck.RelativeError(analytic[p], numeric);
            if (!(error <= c.Tolerance))
                throw new XunitException($"{name}: {reference.Parameters[p].Name} gradient has relative error {error:E2} > {c.Tolerance:E0}");
        }
        var fast = Build(c, TestBackends.TwoThreads);
        var fastGradients = Gradients(fast, x, y, c);
        for (var p = 0; p < fast.Parameters.Count; p++)
            GradientCheck.AssertClose($"{name}: {fast.Parameters[p].Name} on {fast.Backend.Name}", analytic[p], fastGradients[p]);
    }

    private static Sequential Build(Case c, IBackend backend)
    {
        var model = new Sequential(c.Input, seed: 5, backend);
        foreach (var layer in c.Layers()) model.Add(layer);
        model.Compile(new Sgd(0.1), c.Loss);
        return model;
    }

    private static (double[] Values, int[] Shape) Targets(Loss loss, int[] outputShape, int batch) => loss switch
    {
        Loss.CrossEntropy => (RandomArrays.ClassIndices(batch, outputShape[0], 17), [batch]),
        Loss.BinaryCrossEntropy => (RandomArrays.Uniform(batch * outputShape[0], 0, 1, 17), [batch, .. outputShape]),
        _ => (RandomArrays.Uniform(batch * outputShape.Aggregate(1, (a, b) => a * b), -1, 1, 17), [batch, .. outputShape]),
    };

    private static double[][] Gradients(Sequential model, double[] x, (double[] Values, int[] Shape) y, Case c)
    {
        using var scope = TensorScope.Open();
        var dropouts = model.Layers.OfType<Dropout>().ToArray();
        var calls = dropouts.Select(d => d.Calls).ToArray();
        model.ComputeGradients(Tensor.FromDoubles(model.Backend, x, [3, .. c.Input]), Tensor.FromDoubles(model.Backend, y.Values, y.Shape));
        var result = model.Parameters.Select(p => p.Value.Grad?.ToDoubleArray() ?? new double[p.Value.Size]).ToArray();
        model.ZeroGrad();
        for (var i = 0; i < dropouts.Length; i++) dropouts[i].Calls = calls[i];
        return result;
    }

    private static double[] Numeric(Sequential model, Tensor parameter, double[] x, (double[] Values, int[] Shape) y, Case c)
    {
        const double step = 1e-6;
        var values = parameter.ToDoubleArray();
        var gradient = new double[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var original = values[k];
            values[k] = original + step;
            var plus = LossAt(model, parameter, values, x, y, c);
            values[k] = original - step;
            var minus = LossAt(model, parameter, values, x, y, c);
            values[k] = original;
            gradient[k] = (plus - minus) / (2 * step);
        }
        parameter.Backend.UploadDouble(values, parameter.Storage);
        return gradient;
    }

    private static double LossAt(Sequential model, Tensor parameter, double[] values, double[] x, (double[] Values, int[] Shape) y, Case c)
    {
        parameter.Backend.UploadDouble(values, parameter.Storage);
        using var noGrad = GradMode.Disable();
        using var scope = TensorScope.Open();
        var dropouts = model.Layers.OfType<Dropout>().ToArray();
        var calls = dropouts.Select(d => d.Calls).ToArray();
        // Replay the dropout masks of the analytic pass: training-mode forward with the same call counters.
        var prediction = model.Forward(Tensor.FromDoubles(model.Backend, x, [3, .. c.Input]), training: true);
        for (var i = 0; i < dropouts.Length; i++) dropouts[i].Calls = calls[i];
        return LossFunctions.Compute(c.Loss, prediction, Tensor.FromDoubles(model.Backend, y.Values, y.Shape)).ToDoubleArray()[0];
    }
}
