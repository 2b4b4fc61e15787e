using ILGPU;

namespace DeepMap.Tensors.Backends.Ilgpu.Kernels;

/// <summary>
/// Reductions, softmax and the losses. Each output's sum runs in a fixed order (a fixed tree for the grouped sum),
/// so results are deterministic.
/// </summary>
internal static class ReductionKernels
{
    public const int SumGroupSize = 256;

    /// <summary>One thread per output, for short sums.</summary>
    public static void SumSerial(Index1D o, ArrayView<float> x, StridedWalk kept, StridedWalk summed, int count, ArrayView<float> y)
    {
        var start = kept.Offset(o);
        var sum = 0f;
        for (var r = 0; r < count; r++) sum += x[start + summed.Offset(r)];
        y[o] = sum;
    }

    /// <summary>One group per output: strided partial sums, then a tree in shared memory.</summary>
    public static void SumGrouped(ArrayView<float> x, StridedWalk kept, StridedWalk summed, int count, ArrayView<float> y)
    {
        var partial = SharedMemory.Allocate<float>(SumGroupSize);
        var o = Grid.IdxX;
        var t = Group.IdxX;
        var start = kept.Offset(o);
        var sum = 0f;
        for (var r = t; r < count; r += SumGroupSize) sum += x[start + summed.Offset(r)];
        partial[t] = sum;
        Group.Barrier();
        for (var half = SumGroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) partial[t] += partial[t + half];
            Group.Barrier();
        }
        if (t == 0) y[o] = partial[0];
    }

    /// <summary>Over the middle axis of [outer, axis, inner]; the first maximum wins, and a NaN beats any number.</summary>
    public static void Max(Index1D at, ArrayView<float> x, int axis, int inner, ArrayView<float> max, ArrayView<float> argMax)
    {
        var o = at / inner;
        var i = at - o * inner;
        var best = float.NegativeInfinity;
        var bestIndex = 0;
        for (var a = 0; a < axis; a++)
        {
            var v = x[(o * axis + a) * inner + i];
            if (v > best || DeviceMath.IsNaN(v) && !DeviceMath.IsNaN(best))
            {
                best = v;
                bestIndex = a;
            }
        }
        max[at] = best;
        argMax[at] = bestIndex;
    }

    public static void Permute(Index1D i, ArrayView<float> x, StridedWalk walk, ArrayView<float> y) => y[i] = x[walk.Offset(i)];

    public static void Softmax(Index1D r, ArrayView<float> x, ArrayView<float> y, int cols)
    {
        var row = r * cols;
        var max = float.NegativeInfinity;
        for (var j = 0; j < cols; j++) max = MathF.Max(max, x[row + j]);
        var sum = 0f;
        for (var j = 0; j < cols; j++)
        {
            var e = MathF.Exp(x[row + j] - max);
            y[row + j] = e;
            sum += e;
        }
        for (var j = 0; j < cols; j++) y[row + j] /= sum;
    }

    public static void SoftmaxBackward(Index1D r, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int cols)
    {
        var row = r * cols;
        var dot = 0f;
        for (var j = 0; j < cols; j++) dot += dy[row + j] * y[row + j];
        for (var j = 0; j < cols; j++) dx[row + j] = (dy[row + j] - dot) * y[row + j];
    }

    /// <summary>
    /// Per row: the loss and (softmax − target)·scale. A class index out of range was reported by the index check;
    /// here it only contributes no target, so nothing is read out of bounds.
    /// </summary>
    public static void SoftmaxCrossEntropy(Index1D r, ArrayView<float> logits, ArrayView<float> targets, int targetsAreIndices, int cols, ArrayView<float> rowLoss, ArrayView<float> gradient, float scale)
    {
        var row = r * cols;
        var max = float.NegativeInfinity;
        for (var j = 0; j < cols; j++) max = MathF.Max(max, logits[row + j]);
        var sum = 0f;
        for (var j = 0; j < cols; j++)
        {
            var e = MathF.Exp(logits[row + j] - max);
            gradient[row + j] = e;
            sum += e;
        }
        var logSum = MathF.Log(sum) + max;
        var inverse = 1f / sum;
        if (targetsAreIndices != 0)
        {
            var label = targets[r];
            var k = (int)label;
            var valid = k == label && k >= 0 && k < cols;
            rowLoss[r] = valid ? logSum - logits[row + k] : 0f;
            for (var j = 0; j < cols; j++)
                gradient[row + j] = (gradient[row + j] * inverse - (valid && j == k ? 1f : 0f)) * scale;
        }
        else
        {
            float targetSum = 0f, dot = 0f;
            for (var j = 0; j < cols; j++)
            {
                var t = targets[row + j];
                targetSum += t;
                dot += t * logits[row + j];
                gradient[row + j] = (gradient[row + j] * inverse - t) * scale;
            }
            rowLoss[r] = logSum * targetSum - dot;
        }
    }

    public static void SigmoidCrossEntropy(Index1D i, ArrayView<float> logits, ArrayView<float> targets, ArrayView<float> loss, ArrayView<float> gradient, float scale)
    {
        var x = logits[i];
        var t = targets[i];
        loss[i] = MathF.Max(x, 0f) - x * t + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
        gradient[i] = (DeviceMath.Sigmoid(x) - t) * scale;
    }
}
