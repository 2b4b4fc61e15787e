using DeepMap.Tensors.Backends.Ilgpu.Kernels;
using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    /// <summary>Below this many terms per output, one thread per output beats a group per output.</summary>
    private const int SerialSumLimit = 64;

    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var outputs = ShapeMath.Size(yShape);
        if (outputs == 0) return;
        var (kept, summed, count) = WalkPlans.Reduction(xShape, yShape);
        if (count <= SerialSumLimit) _k.SumSerial(outputs, V(x), kept, summed, count, V(y));
        else _k.SumGrouped(new KernelConfig(outputs, ReductionKernels.SumGroupSize), V(x), kept, summed, count, V(y));
    }

    public void ReduceMax(Storage x, int outer, int axis, int inner, Storage max, Storage argMax)
    {
        if (outer * inner > 0) _k.Max(outer * inner, V(x), axis, inner, V(max), V(argMax));
    }

    public void Permute(Storage x, ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation, Storage y)
    {
        var total = ShapeMath.Size(xShape);
        if (total > 0) _k.Permute(total, V(x), WalkPlans.Permutation(xShape, permutation), V(y));
    }

    public void Softmax(Storage x, Storage y, int rows, int cols)
    {
        if (rows > 0) _k.Softmax(rows, V(x), V(y), cols);
    }

    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols)
    {
        if (rows > 0) _k.SoftmaxBackward(rows, V(y), V(dy), V(dx), cols);
    }

    public void SoftmaxCrossEntropy(Storage logits, Storage targets, bool targetsAreIndices, int rows, int cols, Storage rowLoss, Storage gradient, double gradientScale)
    {
        if (rows == 0) return;
        if (targetsAreIndices) CheckClassIndices(targets, rows, cols);
        _k.SoftmaxCrossEntropy(rows, V(logits), V(targets), targetsAreIndices ? 1 : 0, cols, V(rowLoss), V(gradient), (float)gradientScale);
    }

    public void SigmoidCrossEntropy(Storage logits, Storage targets, int length, Storage loss, Storage gradient, double gradientScale)
    {
        if (length > 0) _k.SigmoidCrossEntropy(length, V(logits), V(targets), V(loss), V(gradient), (float)gradientScale);
    }
}
