using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors;

public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Op.Add(a, b);

    public static Tensor operator -(Tensor a, Tensor b) => Op.Sub(a, b);

    public static Tensor operator *(Tensor a, Tensor b) => Op.Mul(a, b);

    public static Tensor operator /(Tensor a, Tensor b) => Op.Div(a, b);

    public static Tensor operator -(Tensor a) => Op.Neg(a);

    public static Tensor operator +(Tensor a, double b) => Op.Add(a, Op.Scalar(a.Backend, b));

    public static Tensor operator *(Tensor a, double b) => Op.Mul(a, Op.Scalar(a.Backend, b));

    public Tensor MatMul(Tensor other) => Op.MatMul(this, other);

    public Tensor Reshape(params int[] shape) => Op.Reshape(this, shape);

    public Tensor Transpose() => Op.Transpose(this);

    public Tensor Sum(params int[] axes) => Op.Sum(this, axes);

    public Tensor Mean(params int[] axes) => Op.Mean(this, axes);
}
