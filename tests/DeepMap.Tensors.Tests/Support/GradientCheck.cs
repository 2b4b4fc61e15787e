using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;
using Xunit.Sdk;

namespace DeepMap.Tensors.Tests.Support;

/// <summary>
/// Checks a function's gradients twice: analytically on the float64 reference backend against central differences
/// (relative error of the whole gradient), then the fast float32 backend's outputs and gradients against the float64
/// ones elementwise (atol 1e-5, rtol 1e-4). The scalar being differentiated is Σ f(x) ⊙ R for a fixed random R, so
/// every output element gets a different upstream gradient.
/// </summary>
public static class GradientCheck
{
    public const double Smooth = 1e-6;
    public const double AcrossKinks = 1e-4;
    private const double Step = 1e-6;
    private const double Atol = 1e-5;
    private const double Rtol = 1e-4;

    public static void Run(string name, Func<Tensor[], Tensor> f, double tolerance, params Input[] inputs)
    {
        var reference = Evaluate(TestBackends.Reference, f, inputs, out var weights);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (!inputs[i].Differentiable) continue;
            var numeric = NumericGradient(f, inputs, i, weights);
            var error = RelativeError(reference.Gradients[i]!, numeric);
            if (!(error <= tolerance))
                throw new XunitException($"{name}: gradient of input {i} has relative error {error:E2} > {tolerance:E0}\n" +
                    $"  analytic: {Preview(reference.Gradients[i]!)}\n  numeric:  {Preview(numeric)}");
        }
        foreach (var backend in new IBackend[] { TestBackends.SingleThread, TestBackends.TwoThreads })
        {
            var fast = Evaluate(backend, f, inputs, out _);
            AssertClose($"{name} on {backend.Name}: output", reference.Output, fast.Output);
            for (var i = 0; i < inputs.Length; i++)
                if (inputs[i].Differentiable)
                    AssertClose($"{name} on {backend.Name}: gradient of input {i}", reference.Gradients[i]!, fast.Gradients[i]!);
        }
    }

    public static void AssertClose(string what, double[] expected, double[] actual, double atol = Atol, double rtol = Rtol)
    {
        if (KernelChecker.CompareClose(what, expected, actual, atol, rtol) is { } mismatch) throw new XunitException(mismatch);
    }

    public static double RelativeError(double[] analytic, double[] numeric)
    {
        double diff = 0, a = 0, n = 0;
        for (var i = 0; i < analytic.Length; i++)
        {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            a += analytic[i] * analytic[i];
            n += numeric[i] * numeric[i];
        }
        var scale = Math.Sqrt(a) + Math.Sqrt(n);
        return scale < 1e-12 ? Math.Sqrt(diff) : Math.Sqrt(diff) / scale;
    }

    private sealed record Result(double[] Output, double[]?[] Gradients);

    private static Result Evaluate(IBackend backend, Func<Tensor[], Tensor> f, Input[] inputs, out double[] weights)
    {
        using var scope = TensorScope.Open();
        var tensors = inputs.Select(i => Make(backend, i)).ToArray();
        var y = f(tensors);
        weights = RandomArrays.Uniform(y.Size, -1, 1, seed: 99);
        var r = Tensor.FromDoubles(backend, weights, y.Shape);
        var loss = Op.Sum(Op.Mul(y, r));
        loss.Backward();
        var gradients = tensors.Select((t, i) => inputs[i].Differentiable ? t.Grad?.ToDoubleArray() ?? new double[t.Size] : null).ToArray();
        foreach (var t in tensors) t.ZeroGrad();
        return new Result(y.ToDoubleArray(), gradients);
    }

    private static double[] NumericGradient(Func<Tensor[], Tensor> f, Input[] inputs, int which, double[] weights)
    {
        var values = (double[])inputs[which].Values.Clone();
        var gradient = new double[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var original = values[k];
            values[k] = original + Step;
            var plus = Loss(f, inputs, which, values, weights);
            values[k] = original - Step;
            var minus = Loss(f, inputs, which, values, weights);
            values[k] = original;
            gradient[k] = (plus - minus) / (2 * Step);
        }
        return gradient;
    }

    private static double Loss(Func<Tensor[], Tensor> f, Input[] inputs, int which, double[] values, double[] weights)
    {
        using var noGrad = GradMode.Disable();
        using var scope = TensorScope.Open();
        var backend = TestBackends.Reference;
        var tensors = inputs.Select((input, i) => Tensor.FromDoubles(backend, i == which ? values : input.Values, input.Shape)).ToArray();
        var y = f(tensors).ToDoubleArray();
        double sum = 0;
        for (var i = 0; i < y.Length; i++) sum += y[i] * weights[i];
        return sum;
    }

    private static Tensor Make(IBackend backend, Input input)
    {
        var t = Tensor.FromDoubles(backend, input.Values, input.Shape);
        t.RequiresGrad = input.Differentiable;
        return t;
    }

    private static string Preview(double[] values) => string.Join(", ", values.Take(8).Select(v => v.ToString("G6"))) + (values.Length > 8 ? ", …" : "");
}
