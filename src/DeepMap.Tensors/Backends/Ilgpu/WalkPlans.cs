using DeepMap.Tensors.Backends.Ilgpu.Kernels;

namespace DeepMap.Tensors.Backends.Ilgpu;

/// <summary>
/// Host-side index plans for the kernels that walk shapes. Adjacent dimensions with the same role are merged first,
/// as the CPU backend's BroadcastPlan does, so a rank-4 bias add becomes a two-dimensional walk.
/// </summary>
internal static class WalkPlans
{
    /// <summary>Walks over y's elements giving a's and b's offsets.</summary>
    public static (StridedWalk A, StridedWalk B) Broadcast(ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape, ReadOnlySpan<int> yShape)
    {
        var dims = new List<(int Size, bool AFull, bool BFull)>();
        for (var i = 0; i < yShape.Length; i++)
        {
            if (yShape[i] == 1) continue;
            var d = (Size: yShape[i], AFull: aShape[i] != 1, BFull: bShape[i] != 1);
            if (dims.Count > 0 && dims[^1].AFull == d.AFull && dims[^1].BFull == d.BFull) dims[^1] = (dims[^1].Size * d.Size, d.AFull, d.BFull);
            else dims.Add(d);
        }
        var sizes = dims.Select(d => d.Size).ToArray();
        return (StridedWalk.Create(sizes, Strides(dims.Select(d => (d.Size, d.AFull)).ToArray())),
                StridedWalk.Create(sizes, Strides(dims.Select(d => (d.Size, d.BFull)).ToArray())));
    }

    /// <summary>
    /// For a sum over the dimensions where yShape has 1: a walk over y's elements giving each one's first x offset, a
    /// walk over the summed elements relative to it, and how many are summed per output.
    /// </summary>
    public static (StridedWalk Kept, StridedWalk Summed, int Count) Reduction(ReadOnlySpan<int> xShape, ReadOnlySpan<int> yShape)
    {
        var dims = new List<(int Size, bool Kept)>();
        for (var i = 0; i < xShape.Length; i++)
        {
            if (xShape[i] == 1) continue;
            var keep = yShape[i] != 1;
            if (dims.Count > 0 && dims[^1].Kept == keep) dims[^1] = (dims[^1].Size * xShape[i], keep);
            else dims.Add((xShape[i], keep));
        }
        var strides = Strides(dims.Select(d => (d.Size, true)).ToArray());
        var kept = dims.Select((d, i) => (d, i)).Where(p => p.d.Kept).ToArray();
        var summed = dims.Select((d, i) => (d, i)).Where(p => !p.d.Kept).ToArray();
        return (StridedWalk.Create(kept.Select(p => p.d.Size).ToArray(), kept.Select(p => strides[p.i]).ToArray()),
                StridedWalk.Create(summed.Select(p => p.d.Size).ToArray(), summed.Select(p => strides[p.i]).ToArray()),
                summed.Aggregate(1, (n, p) => n * p.d.Size));
    }

    /// <summary>A walk over y's elements giving x's offsets; y's axes that stay adjacent in x are merged.</summary>
    public static StridedWalk Permutation(ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation)
    {
        var xStrides = Strides(xShape.ToArray().Select(s => (s, true)).ToArray());
        var sizes = new List<int>();
        var strides = new List<int>();
        for (var i = 0; i < permutation.Length; i++)
        {
            var axis = permutation[i];
            if (xShape[axis] == 1) continue;
            if (sizes.Count > 0 && strides[^1] == xStrides[axis] * xShape[axis])
            {
                sizes[^1] *= xShape[axis];
                strides[^1] = xStrides[axis];
            }
            else
            {
                sizes.Add(xShape[axis]);
                strides.Add(xStrides[axis]);
            }
        }
        return StridedWalk.Create(sizes, strides);
    }

    /// <summary>Row-major strides over the full dimensions; a broadcast (not full) dimension has stride 0.</summary>
    private static int[] Strides((int Size, bool Full)[] dims)
    {
        var strides = new int[dims.Length];
        var stride = 1;
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = dims[i].Full ? stride : 0;
            if (dims[i].Full) stride *= dims[i].Size;
        }
        return strides;
    }
}
