namespace DeepMap.Tensors.Backends;

public enum UnaryOp
{
    Neg,
    Exp,
    Log,
    Sqrt,
    Square,
    Relu,
    Sigmoid,
    Tanh,
}
