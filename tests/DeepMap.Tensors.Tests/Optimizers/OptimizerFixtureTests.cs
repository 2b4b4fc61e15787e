using System.Text.Json;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Optimizers;

/// <summary>
/// Three steps of each optimizer on fixed parameters and gradients against values PyTorch computed in float64
/// (Fixtures/make_optimizer_fixture.py wrote Fixtures/optimizers.json).
/// </summary>
public sealed class OptimizerFixtureTests
{
    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optimizers.json"))).RootElement;

    public static TheoryData<string> Cases => new(Fixture.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Three_steps_match_pytorch_in_float64_and_float32(string name)
    {
        var c = Fixture.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var initial = Doubles(Fixture.GetProperty("initial"));
        var gradients = Fixture.GetProperty("gradients").EnumerateArray().Select(Doubles).ToArray();
        var expected = c.GetProperty("after_steps").EnumerateArray().Select(Doubles).ToArray();
        foreach (var (backend, tolerance) in new (IBackend, double)[] { (TestBackends.Reference, 1e-12), (TestBackends.TwoThreads, 2e-6) })
        {
            var optimizer = Create(c);
            var p = Tensor.FromDoubles(backend, initial, initial.Length);
            p.RequiresGrad = true;
            var parameters = new[] { new Parameter("p", p) };
            for (var step = 0; step < gradients.Length; step++)
            {
                p.ZeroGrad();
                (p.Grad = Tensor.FromDoubles(backend, gradients[step], initial.Length)).Keep();
                optimizer.Step(parameters);
                GradientCheck.AssertClose($"{name} on {backend.Name}, step {step + 1}", expected[step], p.ToDoubleArray(), atol: tolerance, rtol: 0);
            }
        }
    }

    private static Optimizer Create(JsonElement c)
    {
        var lr = c.GetProperty("lr").GetDouble();
        return c.GetProperty("optimizer").GetString() switch
        {
            "sgd" when c.GetProperty("momentum").GetDouble() == 0 => new Sgd(lr, c.GetProperty("weight_decay").GetDouble()),
            "sgd" => new Momentum(lr, c.GetProperty("momentum").GetDouble(), c.GetProperty("nesterov").GetBoolean()),
            "adam" => new Adam(lr, c.GetProperty("beta1").GetDouble(), c.GetProperty("beta2").GetDouble(), c.GetProperty("eps").GetDouble(), c.GetProperty("weight_decay").GetDouble()),
            var other => throw new InvalidDataException($"unknown optimizer '{other}' in the fixture"),
        };
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
