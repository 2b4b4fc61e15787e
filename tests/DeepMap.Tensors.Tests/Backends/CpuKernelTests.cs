using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends;

/// <summary>
/// The CPU backend's kernels at sizes that cross its tile, block and threading boundaries, against the float64
/// reference, and bit for bit between one and two threads.
/// </summary>
public sealed class CpuKernelTests
{
    public static TheoryData<int, int, int, bool, bool> GemmSizes => new()
    {
        { 1, 1, 1, false, false },
        { 7, 33, 5, false, false },
        { 9, 31, 17, true, false },
        { 67, 45, 300, false, true },
        { 130, 257, 70, true, true },
        { 200, 65, 530, false, false },
    };

    [Theory]
    [MemberData(nameof(GemmSizes))]
    public void Gemm_matches_float64_reference_at_tile_and_block_edges(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var a = RandomArrays.Uniform(m * k, -1, 1, 1);
        var b = RandomArrays.Uniform(k * n, -1, 1, 2);
        var bias = RandomArrays.Uniform(n, -1, 1, 3);
        var shape = new GemmShape(m, n, k, transposeA, transposeB);
        foreach (var activation in new[] { Activation.None, Activation.Relu, Activation.Tanh })
        {
            var expected = RunGemm(TestBackends.Reference, shape, a, b, bias, activation);
            var one = RunGemm(TestBackends.SingleThread, shape, a, b, bias, activation);
            var two = RunGemm(TestBackends.TwoThreads, shape, a, b, bias, activation);
            GradientCheck.AssertClose($"gemm {m}x{n}x{k} {activation}", expected, one, atol: 1e-5 * Math.Sqrt(k));
            Assert.Equal(one, two);
        }
    }

    [Fact]
    public void Gemm_accumulates_into_c_at_offsets()
    {
        const int m = 5, n = 40, k = 9;
        var a = RandomArrays.Uniform(3 + m * k, -1, 1, 4);
        var b = RandomArrays.Uniform(2 + k * n, -1, 1, 5);
        var c = RandomArrays.Uniform(7 + m * n, -1, 1, 6);
        var shape = new GemmShape(m, n, k) { AOffset = 3, BOffset = 2, COffset = 7 };
        double[] Run(IBackend backend)
        {
            var at = Tensor.FromDoubles(backend, a, a.Length);
            var bt = Tensor.FromDoubles(backend, b, b.Length);
            var ct = Tensor.FromDoubles(backend, c, c.Length);
            backend.Gemm(shape, at.Storage, bt.Storage, ct.Storage, accumulate: true);
            return ct.ToDoubleArray();
        }
        var expected = Run(TestBackends.Reference);
        var actual = Run(TestBackends.TwoThreads);
        GradientCheck.AssertClose("accumulating gemm", expected, actual);
        Assert.Equal(c.Take(7), actual.Take(7));
    }

    private static double[] RunGemm(IBackend backend, GemmShape shape, double[] a, double[] b, double[] bias, Activation activation)
    {
        var at = Tensor.FromDoubles(backend, a, a.Length);
        var bt = Tensor.FromDoubles(backend, b, b.Length);
        var biasT = Tensor.FromDoubles(backend, bias, bias.Length);
        var c = Tensor.Empty(backend, shape.M * shape.N);
        backend.Gemm(shape, at.Storage, bt.Storage, c.Storage, columnBias: biasT.Storage, activation: activation);
        return c.ToDoubleArray();
    }

    public static TheoryData<string> LargeOps => new(LargeCases.Keys);

    private static readonly Dictionary<string, (Func<Tensor[], Tensor> F, Input[] Inputs)> LargeCases = new()
    {
        ["broadcast_add_large"] = (x => Op.Add(x[0], x[1]), [Input.Of([64, 32, 8, 8]), Input.Of([1, 32, 1, 1], seed: 2)]),
        ["broadcast_mul_rows_large"] = (x => Op.Mul(x[0], x[1]), [Input.Of([300, 257]), Input.Of([257], seed: 2)]),
        ["sigmoid_large"] = (x => Op.Sigmoid(x[0]), [Input.Of([70000], -6, 6)]),
        ["tanh_large"] = (x => Op.Tanh(x[0]), [Input.Of([70000], -3, 3)]),
        ["column_sum_large"] = (x => Op.Sum(x[0], [0]), [Input.Of([513, 129])]),
        ["softmax_large"] = (x => Op.Softmax(x[0]), [Input.Of([2000, 37], -5, 5)]),
        ["permute_large"] = (x => Op.Permute(x[0], 1, 0, 2), [Input.Of([40, 30, 50])]),
        ["conv_batch"] = (x => Op.Conv2D(x[0], x[1], x[2], activation: Activation.Relu), [Input.Of([16, 3, 14, 14]), Input.Of([8, 3, 3, 3], seed: 2), Input.Of([8], seed: 3)]),
        ["maxpool_batch"] = (x => Op.MaxPool2D(x[0]), [Input.Of([16, 8, 14, 14])]),
        ["lstm_batch"] = (x => Op.Lstm(x[0], x[1], x[2], x[3], true), [Input.Of([32, 5, 16]), Input.Of([16, 128], -0.3, 0.3, 2), Input.Of([32, 128], -0.3, 0.3, 3), Input.Of([128], seed: 4)]),
    };

    [Theory]
    [MemberData(nameof(LargeOps))]
    public void Threaded_kernels_match_reference_and_are_identical_on_one_and_two_threads(string name)
    {
        var (f, inputs) = LargeCases[name];
        var expected = Forward(TestBackends.Reference, f, inputs);
        var one = Forward(TestBackends.SingleThread, f, inputs);
        var two = Forward(TestBackends.TwoThreads, f, inputs);
        GradientCheck.AssertClose(name, expected, one);
        Assert.Equal(one, two);
    }

    private static double[] Forward(IBackend backend, Func<Tensor[], Tensor> f, Input[] inputs) =>
        f(inputs.Select(i => Tensor.FromDoubles(backend, i.Values, i.Shape)).ToArray()).ToDoubleArray();

    [Theory]
    [InlineData(28, 28)]
    [InlineData(14, 14)]
    [InlineData(7, 9)]
    [InlineData(6, 66)]
    public void Max_pooling_with_many_ties_picks_the_same_winners_as_the_reference(int height, int width)
    {
        // Values from {0, 1, 2} (and ReLU-like zeros) make ties the rule: the gradient must reach the same element.
        var random = new Randomness.SeededRandom(5);
        var shape = new[] { 3, 2, height, width };
        var values = Enumerable.Range(0, 3 * 2 * height * width).Select(_ => (double)random.NextInt(3)).ToArray();
        (double[] Output, double[] Gradient) Run(IBackend backend)
        {
            var x = Tensor.FromDoubles(backend, values, shape);
            x.RequiresGrad = true;
            var y = Op.MaxPool2D(x);
            var upstream = Tensor.FromDoubles(backend, Enumerable.Range(0, y.Size).Select(i => (double)(i % 7 + 1)).ToArray(), y.Shape);
            Op.Sum(Op.Mul(y, upstream)).Backward();
            return (y.ToDoubleArray(), x.Grad!.ToDoubleArray());
        }
        var expected = Run(TestBackends.Reference);
        foreach (var backend in new IBackend[] { TestBackends.SingleThread, TestBackends.TwoThreads })
        {
            var actual = Run(backend);
            Assert.Equal(expected.Output, actual.Output);
            Assert.Equal(expected.Gradient, actual.Gradient);
        }
    }

    [Fact]
    public void Softmax_and_cross_entropy_stay_finite_for_huge_logits()
    {
        var logits = Tensor.FromArray(TestBackends.TwoThreads, [1000f, 1001f, 1002f, -1000f, 0f, 1000f], 2, 3);
        var softmax = Op.Softmax(logits).ToArray();
        Assert.All(softmax, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0.66524096f, softmax[2], 5);
        var loss = Op.CrossEntropy(logits, Tensor.FromArray(TestBackends.TwoThreads, [0f, 0f], 2)).Item();
        // Row 0: log(1 + e + e²) = 2.4076; row 1: logsumexp ≈ 1000, so class 0 (logit −1000) costs 2000.
        Assert.True(float.IsFinite(loss));
        Assert.Equal((2.40760596 + 2000) / 2, loss, 2);
    }

    [Fact]
    public void A_class_index_outside_the_logits_is_an_error_naming_the_row()
    {
        var logits = Tensor.Zeros(TestBackends.SingleThread, 2, 3);
        var e = Assert.Throws<ArgumentException>(() => Op.CrossEntropy(logits, Tensor.FromArray(TestBackends.SingleThread, [1f, 3f], 2)));
        Assert.Contains("row 1", e.Message);
    }
}
