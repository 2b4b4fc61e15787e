namespace DeepMap.Tensors.Backends;

public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
}
