namespace DeepMap.Tensors.Backends;

/// <summary>
/// C[m×n] (+)= op(A)[m×k] · op(B)[k×n], all row-major and dense; the offsets let one buffer hold many matrices
/// (an LSTM's per-step gates).
/// </summary>
public readonly record struct GemmShape(int M, int N, int K, bool TransposeA = false, bool TransposeB = false)
{
    public int AOffset { get; init; }
    public int BOffset { get; init; }
    public int COffset { get; init; }
}
