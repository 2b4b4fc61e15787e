namespace DeepMap.Tensors.Tests.Support;

/// <summary>One input of a checked function: its values, its shape, and whether gradients are checked for it.</summary>
public sealed record Input(double[] Values, int[] Shape, bool Differentiable = true)
{
    public static Input Of(int[] shape, double low = -1, double high = 1, ulong seed = 1) =>
        new(RandomArrays.Uniform(shape.Aggregate(1, (a, b) => a * b), low, high, seed), shape);

    public static Input Constant(double[] values, params int[] shape) => new(values, shape, Differentiable: false);
}
