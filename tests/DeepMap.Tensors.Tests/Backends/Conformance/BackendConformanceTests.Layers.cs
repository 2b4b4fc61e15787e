using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

public abstract partial class BackendConformanceTests
{
    public static readonly Conv2DGeometry[] Geometries =
    [
        Conv2DGeometry.For(2, 3, 6, 5, kernel: 3, stride: 1, samePadding: true),
        Conv2DGeometry.For(2, 2, 7, 7, kernel: 3, stride: 2, samePadding: false),
        Conv2DGeometry.For(1, 2, 8, 6, kernel: 2, stride: 2, samePadding: false),
        Conv2DGeometry.For(1, 1, 5, 5, kernel: 3, stride: 2, samePadding: true),
    ];

    [BackendFact]
    public void Im2col_and_its_adjoint_col2im()
    {
        foreach (var g in Geometries)
        {
            var input = g.Batch * g.Channels * g.Height * g.Width;
            var columns = g.Patch * g.Batch * g.OutPixels;
            AssertExact($"im2col {g}", [U(input, 1), Nan(columns)], (b, s) => b.Im2Col(s[0], s[1], g));
            AssertKernel($"col2im {g}", [U(columns, 2), Nan(input)], (b, s) => b.Col2Im(s[0], s[1], g));
        }
    }

    [BackendFact]
    public void Channel_bias_with_each_activation()
    {
        foreach (var activation in new[] { Activation.None, Activation.Relu, Activation.Sigmoid, Activation.Tanh })
            AssertKernel($"channel bias {activation}", [U(2 * 3 * 10, 1, -3, 3), U(3, 2)],
                (b, s) => b.ChannelBiasActivation(s[0], s[1], 2, 3, 10, activation), activation == Activation.Tanh ? TanhAtol : 1e-5);
    }

    [BackendFact]
    public void Max_pooling_routes_gradients_to_the_same_winners_with_ties()
    {
        var random = new Randomness.SeededRandom(5);
        foreach (var g in Geometries.Append(Conv2DGeometry.For(2, 3, 7, 9, kernel: 3, stride: 1, samePadding: true)))
        {
            var input = g.Batch * g.Channels * g.Height * g.Width;
            var outputs = g.Batch * g.Channels * g.OutPixels;
            var values = Enumerable.Range(0, input).Select(_ => (double)random.NextInt(3)).ToArray();
            AssertExact($"max pool {g}", [values, Nan(outputs), Nan(outputs)], (b, s) => b.MaxPool2D(s[0], s[1], s[2], g));
            var winners = new double[outputs];
            var reference = TestBackends.Reference;
            var x = Tensor.FromDoubles(reference, values, input);
            using (var y = Tensor.Empty(reference, outputs))
            using (var arg = Tensor.Empty(reference, outputs))
            {
                reference.MaxPool2D(x.Storage, y.Storage, arg.Storage, g);
                reference.DownloadDouble(arg.Storage, winners);
            }
            AssertKernel($"max pool backward {g}", [U(outputs, 3), winners, Nan(input)], (b, s) => b.MaxPool2DBackward(s[0], s[1], s[2], g));
        }
    }

    [BackendFact]
    public void Dropout_masks_are_the_cpu_backends_bit_for_bit()
    {
        foreach (var (seed, keep) in new[] { (1UL, 0.5), (0xDEADBEEFUL, 0.9), (ulong.MaxValue, 0.1) })
            AssertExact($"dropout seed {seed} keep {keep}", [Nan(1000)], (b, s) => b.DropoutMask(s[0], 1000, seed, keep), TestBackends.SingleThread);
    }

    [BackendFact]
    public void Gather_and_scatter_add_with_repeated_indices()
    {
        double[] indices = [3, 0, 3, 1, 4, 3];
        AssertExact("gather", [U(5 * 4, 1), indices, Nan(6 * 4)], (b, s) => b.Gather(s[0], 5, 4, s[1], 6, s[2]));
        AssertKernel("scatter add", [U(6 * 4, 2), indices, U(5 * 4, 3)], (b, s) => b.ScatterAdd(s[0], s[1], 6, 4, s[2], 5));
    }

    [BackendFact]
    public void Lstm_cell_forward_and_backward_at_offsets()
    {
        const int batch = 3, hidden = 5, gates = 4 * hidden;
        AssertKernel("lstm cell", [U(2 + batch * gates, 1, -2, 2), U(1 + batch * hidden, 2), Nan(3 + batch * hidden), Nan(4 + batch * hidden)],
            (b, s) => b.LstmCell(s[0], 2, s[1], 1, s[2], 3, s[3], 4, batch, hidden), TanhAtol);
        var activated = U(batch * gates, 3, 0.05, 0.95);
        AssertKernel("lstm cell backward", [activated, U(1 + batch * hidden, 4), U(batch * hidden, 5), U(2 + batch * hidden, 6), U(batch * hidden, 7), Nan(1 + batch * gates)],
            (b, s) => b.LstmCellBackward(s[0], 0, s[1], 1, s[2], 0, s[3], 2, s[4], s[5], 1, batch, hidden), TanhAtol);
    }

    [BackendFact]
    public void Optimizer_steps_sgd_momentum_nesterov_and_adam()
    {
        const int n = 257;
        AssertKernel("sgd", [U(n, 1), U(n, 2)], (b, s) => b.SgdStep(s[0], s[1], n, 0.1, 0));
        AssertKernel("sgd with weight decay", [U(n, 1), U(n, 2)], (b, s) => b.SgdStep(s[0], s[1], n, 0.1, 0.01));
        foreach (var nesterov in new[] { false, true })
            AssertKernel($"momentum nesterov={nesterov}", [U(n, 1), U(n, 2), U(n, 3)], (b, s) => b.MomentumStep(s[0], s[1], s[2], n, 0.05, 0.9, nesterov));
        AssertKernel("adam", [U(n, 1), U(n, 2), U(n, 3, -0.1, 0.1), U(n, 4, 0, 0.01)],
            (b, s) => b.AdamStep(s[0], s[1], s[2], s[3], n, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3));
    }
}
