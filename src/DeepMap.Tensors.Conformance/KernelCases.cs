using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Reference;
using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Conformance;

/// <summary>
/// Every <see cref="IBackend"/> kernel as cases, written once: the xUnit conformance suite runs each group as a fact on
/// each backend, and the GPU check runs them all on the device it measures. Atol 1e-5, rtol 1e-4 unless a case says
/// otherwise. Shapes are small (ILGPU's CPU accelerator is slow) but cross the GEMM tile and reduction-group edges.
/// <paramref name="tanhAtol"/> parameters: how far tanh may be off on the backend under test (a target with a fast
/// approximation needs 1e-3).
/// </summary>
public static class KernelCases
{
    public static IReadOnlyList<KernelGroup> All(double tanhAtol) =>
    [
        new("gemm", Gemm(tanhAtol)),
        new("gemm accumulate", GemmAccumulate()),
        new("fill and copy rows", FillAndCopyRows()),
        new("binary", Binary()),
        new("unary", Unary(tanhAtol)),
        new("tanh range", TanhRange(tanhAtol)),
        new("scale", Scale()),
        new("reduce sum", ReduceSum()),
        new("reduce max", ReduceMax()),
        new("permute", Permute()),
        new("softmax", Softmax()),
        new("cross-entropy", CrossEntropy()),
        new("im2col and col2im", Im2ColAndCol2Im()),
        new("channel bias", ChannelBias(tanhAtol)),
        new("max pool", MaxPool()),
        new("dropout", Dropout()),
        new("gather and scatter", GatherAndScatter()),
        new("lstm cell", LstmCell(tanhAtol)),
        new("optimizers", Optimizers()),
    ];

    public static IEnumerable<KernelCase> Gemm(double tanhAtol)
    {
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 33, 5), (65, 70, 19), (3, 130, 40) })
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                foreach (var activation in new[] { Activation.None, Activation.Relu, Activation.Sigmoid, Activation.Tanh })
                {
                    var shape = new GemmShape(m, n, k, ta, tb);
                    var atol = (activation == Activation.Tanh ? tanhAtol : KernelCase.DefaultAtol) * Math.Sqrt(k);
                    yield return new($"gemm {m}x{n}x{k} ta={ta} tb={tb} {activation}",
                        [U(m * k, 1), U(k * n, 2), U(n, 3), Nan(m * n)],
                        (b, s) => b.Gemm(shape, s[0], s[1], s[3], columnBias: s[2], activation: activation), atol);
                }
    }

    public static IEnumerable<KernelCase> GemmAccumulate()
    {
        const int m = 5, n = 40, k = 9;
        var shape = new GemmShape(m, n, k, TransposeA: true) { AOffset = 3, BOffset = 2, COffset = 7 };
        yield return new("accumulating gemm", [U(3 + m * k, 4), U(2 + k * n, 5), U(7 + m * n + 4, 6)],
            (b, s) => b.Gemm(shape, s[0], s[1], s[2], accumulate: true));
    }

    public static IEnumerable<KernelCase> FillAndCopyRows()
    {
        yield return new("fill", [Nan(37)], (b, s) => b.Fill(s[0], -2.5));
        yield return new("copy rows", [U(60, 1), U(80, 2)], (b, s) => b.CopyRows(s[0], 3, 9, s[1], 5, 12, 6, 7));
        yield return new("copy dense rows", [U(60, 1), Nan(60)], (b, s) => b.CopyRows(s[0], 0, 10, s[1], 0, 10, 6, 10));
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

    public static IEnumerable<KernelCase> Binary()
    {
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var (a, b, y) in BroadcastShapes)
                yield return new($"{op} {ShapeMath.Format(a)} {ShapeMath.Format(b)}",
                    [U(ShapeMath.Size(a), 1), RandomArrays.AwayFromZero(ShapeMath.Size(b), 0.5, 2, 2), Nan(ShapeMath.Size(y))],
                    (be, s) => be.Binary(op, s[0], a, s[1], b, s[2], y));
    }

    public static IEnumerable<KernelCase> Unary(double tanhAtol)
    {
        const int n = 300;
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var x = op is UnaryOp.Log or UnaryOp.Sqrt ? RandomArrays.Uniform(n, 0.1, 4, 1) : RandomArrays.Uniform(n, -4, 4, 1);
            var atol = op == UnaryOp.Tanh ? tanhAtol : KernelCase.DefaultAtol;
            yield return new($"{op}", [x, Nan(n)], (b, s) => b.Unary(op, s[0], s[1], n), atol);
            var y = Forward(op, x);
            yield return new($"{op} backward", [x, y, U(n, 2), Nan(n)], (b, s) => b.UnaryBackward(op, s[0], s[1], s[2], s[3], n), atol);
        }
    }

    public static IEnumerable<KernelCase> TanhRange(double tanhAtol)
    {
        double[] x = [0, 1e-7, -3e-4, 0.0039, 0.0041, 0.5, -1, 9, -20, 45, 100];
        yield return new("tanh", [x, Nan(x.Length)], (b, s) => b.Unary(UnaryOp.Tanh, s[0], s[1], x.Length), tanhAtol);
    }

    public static IEnumerable<KernelCase> Scale()
    {
        yield return new("scale beta 0", [U(50, 1), Nan(50)], (b, s) => b.Scale(s[0], s[1], 50, 1.5, 0));
        yield return new("scale beta 1", [U(50, 1), U(50, 2)], (b, s) => b.Scale(s[0], s[1], 50, 1, 1));
        yield return new("scale", [U(50, 1), U(50, 2)], (b, s) => b.Scale(s[0], s[1], 50, -0.5, 0.25));
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

    public static IEnumerable<KernelCase> ReduceSum()
    {
        foreach (var (x, y) in ReductionShapes)
            yield return new($"sum {ShapeMath.Format(x)} -> {ShapeMath.Format(y)}", [U(ShapeMath.Size(x), 1), Nan(ShapeMath.Size(y))],
                (b, s) => b.ReduceSum(s[0], x, s[1], y), KernelCase.DefaultAtol * Math.Sqrt(ShapeMath.Size(x)));
    }

    /// <summary>Max picks the first of ties and prefers NaN.</summary>
    public static IEnumerable<KernelCase> ReduceMax()
    {
        var ties = RandomIntegers(4 * 6 * 5, 3, 3);
        ties[7] = double.NaN;
        foreach (var (outer, axis, inner) in new[] { (4, 6, 5), (20, 6, 1), (1, 120, 1) })
            yield return KernelCase.Exact($"max [{outer}, {axis}, {inner}]", [ties, Nan(outer * inner), Nan(outer * inner)],
                (b, s) => b.ReduceMax(s[0], outer, axis, inner, s[1], s[2]));
    }

    public static IEnumerable<KernelCase> Permute()
    {
        foreach (var (shape, perm) in new (int[], int[])[] { ([5, 7], [1, 0]), ([3, 4, 5], [1, 0, 2]), ([3, 4, 5], [2, 0, 1]), ([2, 3, 4, 5], [0, 2, 3, 1]), ([2, 1, 4], [2, 1, 0]) })
            yield return KernelCase.Exact($"permute {ShapeMath.Format(shape)} by {ShapeMath.Format(perm)}", [U(ShapeMath.Size(shape), 1), Nan(ShapeMath.Size(shape))],
                (b, s) => b.Permute(s[0], shape, perm, s[1]));
    }

    public static IEnumerable<KernelCase> Softmax()
    {
        yield return new("softmax", [U(9 * 13, 1, -5, 5), Nan(9 * 13)], (b, s) => b.Softmax(s[0], s[1], 9, 13));
        yield return new("softmax huge", [[1000, 1001, 1002, -1000, 0, 1000], Nan(6)], (b, s) => b.Softmax(s[0], s[1], 2, 3));
        var y = RandomArrays.Distributions(9, 13, 2);
        yield return new("softmax backward", [y, U(9 * 13, 3), Nan(9 * 13)], (b, s) => b.SoftmaxBackward(s[0], s[1], s[2], 9, 13));
    }

    public static IEnumerable<KernelCase> CrossEntropy()
    {
        const int rows = 11, cols = 7;
        yield return new("softmax cross-entropy, indices", [U(rows * cols, 1, -4, 4), RandomArrays.ClassIndices(rows, cols, 2), Nan(rows), Nan(rows * cols)],
            (b, s) => b.SoftmaxCrossEntropy(s[0], s[1], true, rows, cols, s[2], s[3], 1.0 / rows));
        yield return new("softmax cross-entropy, distributions", [U(rows * cols, 1, -4, 4), RandomArrays.Distributions(rows, cols, 3), Nan(rows), Nan(rows * cols)],
            (b, s) => b.SoftmaxCrossEntropy(s[0], s[1], false, rows, cols, s[2], s[3], 0.5));
        double[] logits = [-40, -3, -0.5, 0, 0.25, 2, 30, 1];
        yield return new("sigmoid cross-entropy", [logits, [0, 1, 0.5, 1, 0, 1, 0, 0.25], Nan(8), Nan(8)],
            (b, s) => b.SigmoidCrossEntropy(s[0], s[1], 8, s[2], s[3], 0.125));
    }

    public static readonly Conv2DGeometry[] Geometries =
    [
        Conv2DGeometry.For(2, 3, 6, 5, kernel: 3, stride: 1, samePadding: true),
        Conv2DGeometry.For(2, 2, 7, 7, kernel: 3, stride: 2, samePadding: false),
        Conv2DGeometry.For(1, 2, 8, 6, kernel: 2, stride: 2, samePadding: false),
        Conv2DGeometry.For(1, 1, 5, 5, kernel: 3, stride: 2, samePadding: true),
    ];

    public static IEnumerable<KernelCase> Im2ColAndCol2Im()
    {
        foreach (var g in Geometries)
        {
            var input = g.Batch * g.Channels * g.Height * g.Width;
            var columns = g.Patch * g.Batch * g.OutPixels;
            yield return KernelCase.Exact($"im2col {g}", [U(input, 1), Nan(columns)], (b, s) => b.Im2Col(s[0], s[1], g));
            yield return new($"col2im {g}", [U(columns, 2), Nan(input)], (b, s) => b.Col2Im(s[0], s[1], g));
        }
    }

    public static IEnumerable<KernelCase> ChannelBias(double tanhAtol)
    {
        foreach (var activation in new[] { Activation.None, Activation.Relu, Activation.Sigmoid, Activation.Tanh })
            yield return new($"channel bias {activation}", [U(2 * 3 * 10, 1, -3, 3), U(3, 2)],
                (b, s) => b.ChannelBiasActivation(s[0], s[1], 2, 3, 10, activation), activation == Activation.Tanh ? tanhAtol : KernelCase.DefaultAtol);
    }

    /// <summary>Max pooling with ties, and its backward routing gradients to the reference's winners.</summary>
    public static IEnumerable<KernelCase> MaxPool()
    {
        var random = new SeededRandom(5);
        foreach (var g in Geometries.Append(Conv2DGeometry.For(2, 3, 7, 9, kernel: 3, stride: 1, samePadding: true)))
        {
            var input = g.Batch * g.Channels * g.Height * g.Width;
            var outputs = g.Batch * g.Channels * g.OutPixels;
            var values = Enumerable.Range(0, input).Select(_ => (double)random.NextInt(3)).ToArray();
            yield return KernelCase.Exact($"max pool {g}", [values, Nan(outputs), Nan(outputs)], (b, s) => b.MaxPool2D(s[0], s[1], s[2], g));
            yield return new($"max pool backward {g}", [U(outputs, 3), ReferenceWinners(values, outputs, g), Nan(input)],
                (b, s) => b.MaxPool2DBackward(s[0], s[1], s[2], g));
        }
    }

    /// <summary>Dropout masks are the CPU backend's bit for bit.</summary>
    public static IEnumerable<KernelCase> Dropout()
    {
        foreach (var (seed, keep) in new[] { (1UL, 0.5), (0xDEADBEEFUL, 0.9), (ulong.MaxValue, 0.1) })
            yield return KernelCase.Exact($"dropout seed {seed} keep {keep}", [Nan(1000)], (b, s) => b.DropoutMask(s[0], 1000, seed, keep), KernelOracle.CpuBackend);
    }

    /// <summary>Gather and scatter-add with repeated indices.</summary>
    public static IEnumerable<KernelCase> GatherAndScatter()
    {
        double[] indices = [3, 0, 3, 1, 4, 3];
        yield return KernelCase.Exact("gather", [U(5 * 4, 1), indices, Nan(6 * 4)], (b, s) => b.Gather(s[0], 5, 4, s[1], 6, s[2]));
        yield return new("scatter add", [U(6 * 4, 2), indices, U(5 * 4, 3)], (b, s) => b.ScatterAdd(s[0], s[1], 6, 4, s[2], 5));
    }

    /// <summary>The LSTM cell forward and backward at offsets.</summary>
    public static IEnumerable<KernelCase> LstmCell(double tanhAtol)
    {
        const int batch = 3, hidden = 5, gates = 4 * hidden;
        yield return new("lstm cell", [U(2 + batch * gates, 1, -2, 2), U(1 + batch * hidden, 2), Nan(3 + batch * hidden), Nan(4 + batch * hidden)],
            (b, s) => b.LstmCell(s[0], 2, s[1], 1, s[2], 3, s[3], 4, batch, hidden), tanhAtol);
        var activated = U(batch * gates, 3, 0.05, 0.95);
        yield return new("lstm cell backward", [activated, U(1 + batch * hidden, 4), U(batch * hidden, 5), U(2 + batch * hidden, 6), U(batch * hidden, 7), Nan(1 + batch * gates)],
            (b, s) => b.LstmCellBackward(s[0], 0, s[1], 1, s[2], 0, s[3], 2, s[4], s[5], 1, batch, hidden), tanhAtol);
    }

    /// <summary>SGD (with and without weight decay), momentum, Nesterov and Adam steps.</summary>
    public static IEnumerable<KernelCase> Optimizers()
    {
        const int n = 257;
        yield return new("sgd", [U(n, 1), U(n, 2)], (b, s) => b.SgdStep(s[0], s[1], n, 0.1, 0));
        yield return new("sgd with weight decay", [U(n, 1), U(n, 2)], (b, s) => b.SgdStep(s[0], s[1], n, 0.1, 0.01));
        foreach (var nesterov in new[] { false, true })
            yield return new($"momentum nesterov={nesterov}", [U(n, 1), U(n, 2), U(n, 3)], (b, s) => b.MomentumStep(s[0], s[1], s[2], n, 0.05, 0.9, nesterov));
        yield return new("adam", [U(n, 1), U(n, 2), U(n, 3, -0.1, 0.1), U(n, 4, 0, 0.01)],
            (b, s) => b.AdamStep(s[0], s[1], s[2], s[3], n, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3));
    }

    private static double[] ReferenceWinners(double[] values, int outputs, Conv2DGeometry g)
    {
        var reference = ReferenceBackend.Instance;
        var winners = new double[outputs];
        var x = reference.Allocate(values.Length);
        var y = reference.Allocate(outputs);
        var arg = reference.Allocate(outputs);
        reference.UploadDouble(values, x);
        reference.MaxPool2D(x, y, arg, g);
        reference.DownloadDouble(arg, winners);
        foreach (var s in new[] { x, y, arg }) reference.Release(s);
        return winners;
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

    private static double[] RandomIntegers(int count, int bound, ulong seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => (double)random.NextInt(bound)).ToArray();
    }

    private static double[] U(int count, ulong seed, double low = -1, double high = 1) => RandomArrays.Uniform(count, low, high, seed);

    private static double[] Nan(int count) => Enumerable.Repeat(double.NaN, count).ToArray();
}
