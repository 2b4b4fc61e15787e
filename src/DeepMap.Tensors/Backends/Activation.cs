namespace DeepMap.Tensors.Backends;

/// <summary>An activation that a kernel can fuse into its epilogue (GEMM, convolution).</summary>
public enum Activation
{
    None,
    Relu,
    Sigmoid,
    Tanh,

    /// <summary>Row-wise over the last axis; never fused into a kernel's epilogue.</summary>
    Softmax,
}
