using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

/// <summary>
/// Every <see cref="IBackend"/> kernel, written once and run against each backend by a subclass: the same buffers go
/// through the backend and through the float64 reference, and every buffer afterwards (outputs, and inputs that
/// should be untouched) agrees at atol 1e-5, rtol 1e-4. Outputs start as NaN, so an element a kernel forgets to write
/// fails. Shapes are small (ILGPU's CPU accelerator is slow) but cross the GEMM tile and reduction-group edges.
/// </summary>
public abstract partial class BackendConformanceTests
{
    protected abstract IBackend Backend { get; }

    /// <summary>How far tanh may be off on this backend (the issue allows 1e-3; a target with a fast approximation needs it).</summary>
    protected virtual double TanhAtol => 1e-5;

    [BackendFact]
    public void Gemm_matches_reference_in_every_transpose_with_bias_and_each_activation()
    {
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (65, 70, 19), (3, 130, 40) })
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                foreach (var activation in new[] { Activation.None, Activation.Relu, Activation.Sigmoid, Activation.Tanh })
                {
                    var shape = new GemmShape(m, n, k, ta, tb);
                    var atol = (activation == Activation.Tanh ? TanhAtol : 1e-5) * Math.Sqrt(k);
                    AssertKernel($"gemm {m}x{n}x{k} ta={ta} tb={tb} {activation}",
                        [U(m * k, 1), U(k * n, 2), U(n, 3), Nan(m * n)],
                        (b, s) => b.Gemm(shape, s[0], s[1], s[3], columnBias: s[2], activation: activation), atol);
                }
    }

    [BackendFact]
    public void Gemm_accumulates_into_c_at_offsets_without_bias()
    {
        const int m = 5, n = 40, k = 9;
        var shape = new GemmShape(m, n, k, TransposeA: true) { AOffset = 3, BOffset = 2, COffset = 7 };
        AssertKernel("accumulating gemm", [U(3 + m * k, 4), U(2 + k * n, 5), U(7 + m * n + 4, 6)],
            (b, s) => b.Gemm(shape, s[0], s[1], s[2], accumulate: true));
    }

    [BackendFact]
    public void Fill_and_strided_row_copies()
    {
        AssertKernel("fill", [Nan(37)], (b, s) => b.Fill(s[0], -2.5));
        AssertKernel("copy rows", [U(60, 1), U(80, 2)], (b, s) => b.CopyRows(s[0], 3, 9, s[1], 5, 12, 6, 7));
        AssertKernel("copy dense rows", [U(60, 1), Nan(60)], (b, s) => b.CopyRows(s[0], 0, 10, s[1], 0, 10, 6, 10));
    }

    public static readonly (int[] A, int[] B, int[] Y)[] BroadcastShapes =
    [
        ([2, 3, 4], [2, 3, 4], [2, 3, 4]),
        ([2, 3, 4], [1, 3, 1], [2, 3, 4]),
        ([2, 1, 4], [1, 3, 1], [2, 3, 4]),
        ([5, 1], [1, 6], [5, 6]),
        ([1, 1], [4, 7], [4, 7]),
        ([2, 3, 2, 3, 2], [1, 3, 1, 3, 1], [2, 3, 2, 3, 2]),
    ];

    [BackendFact]
    public void Binary_ops_with_broadcasting()
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var (a, b, y) in BroadcastShapes)
                AssertKernel($"{op} {ShapeMath.Format(a)} {ShapeMath.Format(b)}",
                    [U(ShapeMath.Size(a), 1), RandomArrays.AwayFromZero(ShapeMath.Size(b), 0.5, 2, 2), Nan(ShapeMath.Size(y))],
                    (be, s) => be.Binary(op, s[0], a, s[1], b, s[2], y));
    }

    [BackendFact]
    public void Unary_ops_and_their_backward()
    {
        const int n = 300;
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var x = op is UnaryOp.Log or UnaryOp.Sqrt ? RandomArrays.Uniform(n, 0.1, 4, 1) : RandomArrays.Uniform(n, -4, 4, 1);
            var atol = op == UnaryOp.Tanh ? TanhAtol : 1e-5;
            AssertKernel($"{op}", [x, Nan(n)], (b, s) => b.Unary(op, s[0], s[1], n), atol);
            var y = Forward(op, x);
            AssertKernel($"{op} backward", [x, y, U(n, 2), Nan(n)], (b, s) => b.UnaryBackward(op, s[0], s[1], s[2], s[3], n), atol);
        }
    }

    [BackendFact]
    public void Tanh_is_accurate_near_zero_and_saturates()
    {
        double[] x = [0, 1e-7, -3e-4, 0.0039, 0.0041, 0.5, -1, 9, -20, 45, 100];
        AssertKernel("tanh", [x, Nan(x.Length)], (b, s) => b.Unary(UnaryOp.Tanh, s[0], s[1], x.Length), TanhAtol);
    }

    [BackendFact]
    public void Scale_ignores_y_when_beta_is_zero()
    {
        AssertKernel("scale beta 0", [U(50, 1), Nan(50)], (b, s) => b.Scale(s[0], s[1], 50, 1.5, 0));
        AssertKernel("scale beta 1", [U(50, 1), U(50, 2)], (b, s) => b.Scale(s[0], s[1], 50, 1, 1));
        AssertKernel("scale", [U(50, 1), U(50, 2)], (b, s) => b.Scale(s[0], s[1], 50, -0.5, 0.25));
    }

    public static readonly (int[] X, int[] Y)[] ReductionShapes =
    [
        ([5, 7], [1, 7]),
        ([5, 7], [5, 1]),
        ([2, 3, 4, 5], [1, 3, 1, 1]),
        ([3, 300], [3, 1]),
        ([200, 3], [1, 3]),
        ([6, 70], [1, 1]),
        ([4, 5], [4, 5]),
        ([2, 1, 3], [1, 1, 3]),
    ];

    [BackendFact]
    public void Sums_over_broadcast_dimensions_short_and_long()
    {
        foreach (var (x, y) in ReductionShapes)
            AssertKernel($"sum {ShapeMath.Format(x)} -> {ShapeMath.Format(y)}", [U(ShapeMath.Size(x), 1), Nan(ShapeMath.Size(y))],
                (b, s) => b.ReduceSum(s[0], x, s[1], y), atol: 1e-5 * Math.Sqrt(ShapeMath.Size(x)));
    }

    [BackendFact]
    public void Max_picks_the_first_of_ties_and_prefers_nan()
    {
        var random = new Randomness.SeededRandom(3);
        var ties = Enumerable.Range(0, 4 * 6 * 5).Select(_ => (double)random.NextInt(3)).ToArray();
        ties[7] = double.NaN;
        foreach (var (outer, axis, inner) in new[] { (4, 6, 5), (20, 6, 1), (1, 120, 1) })
            AssertExact($"max [{outer}, {axis}, {inner}]", [ties, Nan(outer * inner), Nan(outer * inner)],
                (b, s) => b.ReduceMax(s[0], outer, axis, inner, s[1], s[2]));
    }

    [BackendFact]
    public void Permutes_of_rank_two_to_four()
    {
        foreach (var (shape, perm) in new (int[], int[])[] { ([5, 7], [1, 0]), ([3, 4, 5], [1, 0, 2]), ([3, 4, 5], [2, 0, 1]), ([2, 3, 4, 5], [0, 2, 3, 1]), ([2, 1, 4], [2, 1, 0]) })
            AssertExact($"permute {ShapeMath.Format(shape)} by {ShapeMath.Format(perm)}", [U(ShapeMath.Size(shape), 1), Nan(ShapeMath.Size(shape))],
                (b, s) => b.Permute(s[0], shape, perm, s[1]));
    }

    [BackendFact]
    public void Softmax_forward_backward_and_huge_logits()
    {
        AssertKernel("softmax", [U(9 * 13, 1, -5, 5), Nan(9 * 13)], (b, s) => b.Softmax(s[0], s[1], 9, 13));
        AssertKernel("softmax huge", [[1000, 1001, 1002, -1000, 0, 1000], Nan(6)], (b, s) => b.Softmax(s[0], s[1], 2, 3));
        var y = RandomArrays.Distributions(9, 13, 2);
        AssertKernel("softmax backward", [y, U(9 * 13, 3), Nan(9 * 13)], (b, s) => b.SoftmaxBackward(s[0], s[1], s[2], 9, 13));
    }

    [BackendFact]
    public void Cross_entropies_with_indices_distributions_and_sigmoid()
    {
        const int rows = 11, cols = 7;
        AssertKernel("softmax cross-entropy, indices", [U(rows * cols, 1, -4, 4), RandomArrays.ClassIndices(rows, cols, 2), Nan(rows), Nan(rows * cols)],
            (b, s) => b.SoftmaxCrossEntropy(s[0], s[1], true, rows, cols, s[2], s[3], 1.0 / rows));
        AssertKernel("softmax cross-entropy, distributions", [U(rows * cols, 1, -4, 4), RandomArrays.Distributions(rows, cols, 3), Nan(rows), Nan(rows * cols)],
            (b, s) => b.SoftmaxCrossEntropy(s[0], s[1], false, rows, cols, s[2], s[3], 0.5));
        double[] logits = [-40, -3, -0.5, 0, 0.25, 2, 30, 1];
        AssertKernel("sigmoid cross-entropy", [logits, [0, 1, 0.5, 1, 0, 1, 0, 0.25], Nan(8), Nan(8)],
            (b, s) => b.SigmoidCrossEntropy(s[0], s[1], 8, s[2], s[3], 0.125));
    }

    [BackendFact]
    public void A_bad_class_index_is_an_error_naming_the_row_by_the_next_download()
    {
        var logits = Tensor.Zeros(Backend, 3, 4);
        var targets = Tensor.FromArray(Backend, [1f, 4f, 2f], 3);
        var loss = Tensor.Empty(Backend, 3);
        var gradient = Tensor.Empty(Backend, 3, 4);
        var e = Assert.Throws<ArgumentException>(() =>
        {
            Backend.SoftmaxCrossEntropy(logits.Storage, targets.Storage, true, 3, 4, loss.Storage, gradient.Storage, 1);
            loss.ToArray();
        });
        Assert.Contains("row 1", e.Message);
        var table = Tensor.Zeros(Backend, 5, 2);
        var indices = Tensor.FromArray(Backend, [0f, 1.5f], 2);
        var rows = Tensor.Empty(Backend, 2, 2);
        e = Assert.Throws<ArgumentException>(() =>
        {
            Backend.Gather(table.Storage, 5, 2, indices.Storage, 2, rows.Storage);
            rows.ToArray();
        });
        Assert.Contains("row 1", e.Message);
        Assert.Equal(new float[10], table.ToArray());
    }

    private static double[] Forward(UnaryOp op, double[] x) => x.Select(v => op switch
    {
        UnaryOp.Neg => -v,
        UnaryOp.Exp => Math.Exp(v),
        UnaryOp.Log => Math.Log(v),
        UnaryOp.Sqrt => Math.Sqrt(v),
        UnaryOp.Square => v * v,
        UnaryOp.Relu => Math.Max(v, 0),
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
        _ => Math.Tanh(v),
    }).Select(v => (double)(float)v).ToArray();

    protected static double[] U(int count, ulong seed, double low = -1, double high = 1) => RandomArrays.Uniform(count, low, high, seed);

    protected static double[] Nan(int count) => Enumerable.Repeat(double.NaN, count).ToArray();

    /// <summary>Runs the kernel on this backend and on the reference and compares every buffer afterwards.</summary>
    protected void AssertKernel(string name, double[][] buffers, Action<IBackend, Storage[]> kernel, double atol = 1e-5, double rtol = 1e-4)
    {
        var expected = Run(TestBackends.Reference, buffers, kernel);
        var actual = Run(Backend, buffers, kernel);
        for (var i = 0; i < buffers.Length; i++)
        {
            // Elements outside a kernel's range keep their NaN on both backends; the reference's own NaN must match too.
            for (var j = 0; j < expected[i].Length; j++)
                if (double.IsNaN(expected[i][j]) && double.IsNaN(actual[i][j])) expected[i][j] = actual[i][j] = 0;
            GradientCheck.AssertClose($"{name} on {Backend.Name}, buffer {i}", expected[i], actual[i], atol, rtol);
        }
    }

    /// <summary>For kernels that only select or move values (indices, winners, masks): equal to the last bit.</summary>
    protected void AssertExact(string name, double[][] buffers, Action<IBackend, Storage[]> kernel, IBackend? oracle = null)
    {
        var expected = Run(oracle ?? TestBackends.Reference, buffers, kernel);
        var actual = Run(Backend, buffers, kernel);
        for (var i = 0; i < buffers.Length; i++)
        {
            var e = expected[i].Select(v => (double)(float)v).ToArray();
            for (var j = 0; j < e.Length; j++)
                if (!e[j].Equals(actual[i][j]))
                    throw new Xunit.Sdk.XunitException($"{name} on {Backend.Name}, buffer {i}: element {j} is {actual[i][j]:R}, expected {e[j]:R}");
        }
    }

    private static double[][] Run(IBackend backend, double[][] buffers, Action<IBackend, Storage[]> kernel)
    {
        var storages = buffers.Select(values =>
        {
            var s = backend.Allocate(values.Length);
            backend.UploadDouble(values, s);
            return s;
        }).ToArray();
        kernel(backend, storages);
        var results = buffers.Select((values, i) =>
        {
            var result = new double[values.Length];
            backend.DownloadDouble(storages[i], result);
            return result;
        }).ToArray();
        foreach (var s in storages) backend.Release(s);
        return results;
    }
}
