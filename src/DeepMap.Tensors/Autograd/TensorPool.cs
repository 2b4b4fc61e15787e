namespace DeepMap.Tensors.Autograd;

/// <summary>
/// Released tensor objects of this thread, by rank, for <see cref="Tensor.Create"/> to reuse (shape array included),
/// so the tensors of a training step are the same objects every step. Only objects nothing else can still reach come
/// back: those a recycling scope released, and gradients ZeroGrad dropped.
/// </summary>
internal static class TensorPool
{
    private const int MaxRank = 8;

    // More than a step of the largest model here creates; past it, released objects are left to the collector.
    private const int MaxPerRank = 4096;

    [ThreadStatic] private static Stack<Tensor>[]? t_free;

    public static Tensor? Rent(int rank)
    {
        if (rank > MaxRank || t_free is null) return null;
        return t_free[rank].TryPop(out var t) ? t : null;
    }

    /// <summary>Takes back a released tensor; the caller must hold the last reference to it.</summary>
    public static void Return(Tensor tensor)
    {
        if (!tensor.IsDisposed) throw new InvalidOperationException("only a released tensor can be reused");
        if (tensor.Rank > MaxRank) return;
        var free = t_free ??= CreateStacks();
        if (free[tensor.Rank].Count < MaxPerRank) free[tensor.Rank].Push(tensor);
    }

    private static Stack<Tensor>[] CreateStacks()
    {
        var stacks = new Stack<Tensor>[MaxRank + 1];
        for (var i = 0; i < stacks.Length; i++) stacks[i] = new Stack<Tensor>();
        return stacks;
    }
}
