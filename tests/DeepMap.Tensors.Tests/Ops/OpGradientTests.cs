using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Ops;

/// <summary>Every op: float64 central differences, then float32 against float64 on one and two threads.</summary>
public sealed class OpGradientTests
{
    private sealed record Case(Func<Tensor[], Tensor> F, double Tolerance, Input[] Inputs);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["add_broadcast_rows"] = new(x => Op.Add(x[0], x[1]), GradientCheck.Smooth, [Input.Of([3, 4]), Input.Of([4], seed: 2)]),
        ["add_broadcast_channels"] = new(x => Op.Add(x[0], x[1]), GradientCheck.Smooth, [Input.Of([2, 3, 2, 2]), Input.Of([1, 3, 1, 1], seed: 2)]),
        ["sub_broadcast_column"] = new(x => Op.Sub(x[0], x[1]), GradientCheck.Smooth, [Input.Of([3, 4]), Input.Of([3, 1], seed: 2)]),
        ["sub_scalar_left"] = new(x => Op.Sub(x[1], x[0]), GradientCheck.Smooth, [Input.Of([3, 4]), Input.Of([1], seed: 2)]),
        ["mul_broadcast"] = new(x => Op.Mul(x[0], x[1]), GradientCheck.Smooth, [Input.Of([2, 3, 4]), Input.Of([3, 1], seed: 2)]),
        ["div"] = new(x => Op.Div(x[0], x[1]), GradientCheck.Smooth, [Input.Of([3, 4]), new Input(RandomArrays.AwayFromZero(4, 0.5, 1.5, 3), [4])]),
        ["neg"] = new(x => Op.Neg(x[0]), GradientCheck.Smooth, [Input.Of([3, 4])]),
        ["exp"] = new(x => Op.Exp(x[0]), GradientCheck.Smooth, [Input.Of([3, 4])]),
        ["log"] = new(x => Op.Log(x[0]), GradientCheck.Smooth, [Input.Of([3, 4], 0.5, 2)]),
        ["sqrt"] = new(x => Op.Sqrt(x[0]), GradientCheck.Smooth, [Input.Of([3, 4], 0.5, 2)]),
        ["square"] = new(x => Op.Square(x[0]), GradientCheck.Smooth, [Input.Of([3, 4])]),
        ["relu"] = new(x => Op.Relu(x[0]), GradientCheck.AcrossKinks, [Input.Of([4, 5])]),
        ["sigmoid"] = new(x => Op.Sigmoid(x[0]), GradientCheck.Smooth, [Input.Of([4, 5], -4, 4)]),
        ["tanh"] = new(x => Op.Tanh(x[0]), GradientCheck.Smooth, [Input.Of([4, 5], -3, 3)]),
        ["matmul"] = new(x => Op.MatMul(x[0], x[1]), GradientCheck.Smooth, [Input.Of([3, 5]), Input.Of([5, 4], seed: 2)]),
        ["matmul_transpose_a"] = new(x => Op.MatMul(x[0], x[1], transposeA: true), GradientCheck.Smooth, [Input.Of([5, 3]), Input.Of([5, 4], seed: 2)]),
        ["matmul_transpose_b"] = new(x => Op.MatMul(x[0], x[1], transposeB: true), GradientCheck.Smooth, [Input.Of([3, 5]), Input.Of([4, 5], seed: 2)]),
        ["matmul_transpose_both"] = new(x => Op.MatMul(x[0], x[1], true, true), GradientCheck.Smooth, [Input.Of([5, 3]), Input.Of([4, 5], seed: 2)]),
        ["linear"] = new(x => Op.Linear(x[0], x[1], x[2]), GradientCheck.Smooth, [Input.Of([4, 6]), Input.Of([6, 3], seed: 2), Input.Of([3], seed: 3)]),
        ["linear_relu"] = new(x => Op.Linear(x[0], x[1], x[2], Activation.Relu), GradientCheck.AcrossKinks, [Input.Of([4, 6]), Input.Of([6, 3], seed: 2), Input.Of([3], seed: 3)]),
        ["linear_sigmoid"] = new(x => Op.Linear(x[0], x[1], x[2], Activation.Sigmoid), GradientCheck.Smooth, [Input.Of([4, 6]), Input.Of([6, 3], seed: 2), Input.Of([3], seed: 3)]),
        ["linear_tanh"] = new(x => Op.Linear(x[0], x[1], x[2], Activation.Tanh), GradientCheck.Smooth, [Input.Of([4, 6]), Input.Of([6, 3], seed: 2), Input.Of([3], seed: 3)]),
        ["sum_all"] = new(x => Op.Sum(x[0]), GradientCheck.Smooth, [Input.Of([3, 4])]),
        ["sum_axis"] = new(x => Op.Sum(x[0], [1]), GradientCheck.Smooth, [Input.Of([2, 3, 4])]),
        ["sum_axes_keepdims"] = new(x => Op.Sum(x[0], [0, 2], keepDims: true), GradientCheck.Smooth, [Input.Of([2, 3, 4])]),
        ["mean_axis"] = new(x => Op.Mean(x[0], [0]), GradientCheck.Smooth, [Input.Of([3, 4])]),
        ["max_axis"] = new(x => Op.Max(x[0], 1), GradientCheck.AcrossKinks, [Input.Of([3, 5, 2])]),
        ["reshape"] = new(x => Op.Mul(Op.Reshape(x[0], 4, -1), x[1]), GradientCheck.Smooth, [Input.Of([2, 6]), Input.Of([4, 3], seed: 2)]),
        ["permute"] = new(x => Op.Permute(x[0], 2, 0, 1), GradientCheck.Smooth, [Input.Of([2, 3, 4])]),
        ["transpose"] = new(x => Op.Transpose(x[0]), GradientCheck.Smooth, [Input.Of([3, 5])]),
        ["slice_middle_axis"] = new(x => Op.Slice(x[0], 1, 1, 2), GradientCheck.Smooth, [Input.Of([2, 4, 3])]),
        ["concat"] = new(x => Op.Concat([x[0], x[1]], 1), GradientCheck.Smooth, [Input.Of([2, 2, 3]), Input.Of([2, 1, 3], seed: 2)]),
        ["softmax"] = new(x => Op.Softmax(x[0]), GradientCheck.Smooth, [Input.Of([3, 5], -3, 3)]),
        ["cross_entropy_indices"] = new(x => Op.CrossEntropy(x[0], x[1]), GradientCheck.Smooth, [Input.Of([4, 5], -3, 3), Input.Constant(RandomArrays.ClassIndices(4, 5, 7), 4)]),
        ["cross_entropy_distributions"] = new(x => Op.CrossEntropy(x[0], x[1]), GradientCheck.Smooth, [Input.Of([4, 5], -3, 3), Input.Constant(RandomArrays.Distributions(4, 5, 7), 4, 5)]),
        ["binary_cross_entropy"] = new(x => Op.BinaryCrossEntropy(x[0], x[1]), GradientCheck.Smooth, [Input.Of([6, 2], -4, 4), Input.Constant(RandomArrays.Uniform(12, 0, 1, 7), 6, 2)]),
        ["mean_squared_error"] = new(x => Op.MeanSquaredError(x[0], x[1]), GradientCheck.Smooth, [Input.Of([5, 2]), Input.Constant(RandomArrays.Uniform(10, -1, 1, 7), 5, 2)]),
        ["conv2d_same"] = new(x => Op.Conv2D(x[0], x[1], x[2]), GradientCheck.Smooth, [Input.Of([2, 3, 5, 5]), Input.Of([4, 3, 3, 3], seed: 2), Input.Of([4], seed: 3)]),
        ["conv2d_valid_stride2_relu"] = new(x => Op.Conv2D(x[0], x[1], x[2], stride: 2, samePadding: false, Activation.Relu), GradientCheck.AcrossKinks,
            [Input.Of([2, 2, 7, 6]), Input.Of([3, 2, 3, 3], seed: 2), Input.Of([3], seed: 3)]),
        ["conv2d_same_stride2_even_kernel"] = new(x => Op.Conv2D(x[0], x[1], null, stride: 2), GradientCheck.Smooth, [Input.Of([1, 2, 6, 5]), Input.Of([2, 2, 2, 2], seed: 2)]),
        ["conv2d_same_kernel_larger_than_image"] = new(x => Op.Conv2D(x[0], x[1], x[2]), GradientCheck.Smooth, [Input.Of([2, 2, 2, 3]), Input.Of([3, 2, 5, 5], seed: 2), Input.Of([3], seed: 3)]),
        ["maxpool2d"] = new(x => Op.MaxPool2D(x[0], 2), GradientCheck.AcrossKinks, [Input.Of([2, 2, 4, 5])]),
        ["dropout"] = new(x => Op.Dropout(x[0], 0.4, seed: 123), GradientCheck.Smooth, [Input.Of([4, 6])]),
        ["embedding"] = new(x => Op.Embedding(x[0], x[1]), GradientCheck.Smooth, [Input.Constant([1, 3, 1, 0, 2, 3], 2, 3), Input.Of([4, 5])]),
        ["lstm_last_state"] = new(x => Op.Lstm(x[0], x[1], x[2], x[3], returnSequences: false), GradientCheck.Smooth,
            [Input.Of([2, 3, 4]), Input.Of([4, 12], -0.5, 0.5, 2), Input.Of([3, 12], -0.5, 0.5, 3), Input.Of([12], -0.5, 0.5, 4)]),
        ["lstm_sequences"] = new(x => Op.Lstm(x[0], x[1], x[2], x[3], returnSequences: true), GradientCheck.Smooth,
            [Input.Of([2, 4, 3]), Input.Of([3, 8], -0.5, 0.5, 2), Input.Of([2, 8], -0.5, 0.5, 3), Input.Of([8], -0.5, 0.5, 4)]),
        ["simple_rnn_last_state"] = new(x => Op.SimpleRnn(x[0], x[1], x[2], x[3], returnSequences: false), GradientCheck.Smooth,
            [Input.Of([2, 3, 4]), Input.Of([4, 3], -0.5, 0.5, 2), Input.Of([3, 3], -0.5, 0.5, 3), Input.Of([3], -0.5, 0.5, 4)]),
        ["simple_rnn_sequences"] = new(x => Op.SimpleRnn(x[0], x[1], x[2], x[3], returnSequences: true), GradientCheck.Smooth,
            [Input.Of([3, 4, 2]), Input.Of([2, 3], -0.5, 0.5, 2), Input.Of([3, 3], -0.5, 0.5, 3), Input.Of([3], -0.5, 0.5, 4)]),
        ["shared_input_used_twice"] = new(x => Op.Mul(Op.Tanh(x[0]), x[0]), GradientCheck.Smooth, [Input.Of([3, 3])]),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Gradient_matches_central_differences_and_float32_matches_float64(string name)
    {
        var c = Cases[name];
        GradientCheck.Run(name, c.F, c.Tolerance, c.Inputs);
    }
}
