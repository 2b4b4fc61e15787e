namespace DeepMap.Tensors.Backends;

/// <summary>Index arithmetic on row-major shapes, shared by kernels and tensors.</summary>
public static class ShapeMath
{
    public static int Size(ReadOnlySpan<int> shape)
    {
        var n = 1;
        foreach (var d in shape) n = checked(n * d);
        return n;
    }

    public static void Unravel(int flat, ReadOnlySpan<int> shape, Span<int> index)
    {
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            index[i] = flat % shape[i];
            flat /= shape[i];
        }
    }

    public static int Ravel(ReadOnlySpan<int> index, ReadOnlySpan<int> shape)
    {
        var flat = 0;
        for (var i = 0; i < shape.Length; i++) flat = flat * shape[i] + index[i];
        return flat;
    }

    /// <summary>The flat offset in a broadcast operand of the given (output) index: size-1 dimensions read index 0.</summary>
    public static int BroadcastOffset(ReadOnlySpan<int> index, ReadOnlySpan<int> shape)
    {
        var flat = 0;
        for (var i = 0; i < shape.Length; i++) flat = flat * shape[i] + (shape[i] == 1 ? 0 : index[i]);
        return flat;
    }

    /// <summary>
    /// The shape two operands broadcast to, left-padding the shorter, written to <paramref name="result"/> (of the
    /// larger rank); a mismatch names both shapes.
    /// </summary>
    public static void Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        var rank = result.Length;
        for (var i = 0; i < rank; i++)
        {
            var da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} do not broadcast (dimension {i}: {da} vs {db})");
            result[i] = Math.Max(da, db);
        }
    }

    /// <summary>The shape with ones in front, to the rank of <paramref name="result"/>.</summary>
    public static void PadLeft(ReadOnlySpan<int> shape, Span<int> result)
    {
        var rank = result.Length;
        for (var i = 0; i < rank; i++) result[i] = i - (rank - shape.Length) >= 0 ? shape[i - (rank - shape.Length)] : 1;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
