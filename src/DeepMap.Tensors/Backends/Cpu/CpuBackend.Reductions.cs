using System.Numerics.Tensors;

namespace DeepMap.Tensors.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var xv = A(x);
        var yv = A(y);
        var ySize = ShapeMath.Size(yShape);
        var xSize = ShapeMath.Size(xShape);
        // Merge adjacent dimensions that are both kept or both summed: [N, C] → [C] is a column sum,
        // [N, C, H, W] → [1, C, 1, 1] is rows of H·W summed into C slots.
        // On the stack: a list here would be an allocation per call.
        Span<int> sizes = stackalloc int[xShape.Length];
        Span<bool> keptAxes = stackalloc bool[xShape.Length];
        var count = 0;
        for (var i = 0; i < xShape.Length; i++)
        {
            if (xShape[i] == 1) continue;
            var kept = yShape[i] != 1;
            if (count > 0 && keptAxes[count - 1] == kept) sizes[count - 1] *= xShape[i];
            else
            {
                sizes[count] = xShape[i];
                keptAxes[count++] = kept;
            }
        }
        var ys = yv.AsSpan(0, ySize);
        if (count == 0)
        {
            xv.AsSpan(0, xSize).CopyTo(ys);
            return;
        }
        var inner = sizes[count - 1];
        var innerKept = keptAxes[count - 1];
        ys.Clear();
        var rows = xSize / inner;
        for (var r = 0; r < rows; r++)
        {
            // The row's position in y: walk the outer dimensions, counting only the kept ones.
            var rest = r;
            var yOffset = 0;
            var yStride = innerKept ? inner : 1;
            for (var d = count - 2; d >= 0; d--)
            {
                var index = rest % sizes[d];
                rest /= sizes[d];
                if (keptAxes[d])
                {
                    yOffset += index * yStride;
                    yStride *= sizes[d];
                }
            }
            var row = xv.AsSpan(r * inner, inner);
            if (innerKept) TensorPrimitives.Add(ys.Slice(yOffset, inner), row, ys.Slice(yOffset, inner));
            else ys[yOffset] += TensorPrimitives.Sum(row);
        }
    }

    public void ReduceMax(Storage x, int outer, int axis, int inner, Storage max, Storage argMax)
    {
        var xv = A(x);
        var mv = A(max);
        var av = A(argMax);
        ForChunks(outer, (long)axis * inner, (xv, mv, av, axis, inner), static (in (float[] X, float[] M, float[] A, int Axis, int Inner) st, int o0, int o1) =>
        {
            var (xv, mv, av, axis, inner) = st;
            for (var o = o0; o < o1; o++)
            {
                if (inner == 1)
                {
                    var row = xv.AsSpan(o * axis, axis);
                    var index = TensorPrimitives.IndexOfMax(row);
                    mv[o] = row[index];
                    av[o] = index;
                    continue;
                }
                for (var i = 0; i < inner; i++)
                {
                    var best = float.NegativeInfinity;
                    var bestIndex = 0;
                    for (var a = 0; a < axis; a++)
                    {
                        var v = xv[(o * axis + a) * inner + i];
                        if (v > best || float.IsNaN(v) && !float.IsNaN(best)) { best = v; bestIndex = a; }
                    }
                    mv[o * inner + i] = best;
                    av[o * inner + i] = bestIndex;
                }
            }
        });
    }

    public void Permute(Storage x, ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation, Storage y)
    {
        var plan = PermutePlan.For(xShape, permutation);
        ForChunks(plan.Runs, plan.Run, (A(x), A(y), plan), static (in (float[] X, float[] Y, PermutePlan Plan) st, int r0, int r1) =>
        {
            var (xv, yv, plan) = st;
            var run = plan.Run;
            for (var r = r0; r < r1; r++)
            {
                var source = plan.SourceOffset(r);
                if (run == 1) yv[r] = xv[source];
                else xv.AsSpan(source, run).CopyTo(yv.AsSpan(r * run, run));
            }
        });
    }

    public void Softmax(Storage x, Storage y, int rows, int cols)
    {
        var xv = A(x);
        var yv = A(y);
        ForChunks(rows, cols * 4, (xv, yv, cols), static (in (float[] X, float[] Y, int Cols) st, int r0, int r1) =>
        {
            var (xv, yv, cols) = st;
            for (var r = r0; r < r1; r++) StableSoftmax(xv.AsSpan(r * cols, cols), yv.AsSpan(r * cols, cols));
        });
    }

    /// <summary>Subtracts the row max first: TensorPrimitives.SoftMax overflows to NaN on inputs like [1000, 1001].</summary>
    private static float StableSoftmax(ReadOnlySpan<float> x, Span<float> y)
    {
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        var sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Divide(y, sum, y);
        return MathF.Log(sum) + max;
    }

    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols)
    {
        var yv = A(y);
        var gv = A(dy);
        var ov = A(dx);
        ForChunks(rows, cols * 3, (yv, gv, ov, cols), static (in (float[] Y, float[] G, float[] O, int Cols) st, int r0, int r1) =>
        {
            var (yv, gv, ov, cols) = st;
            for (var r = r0; r < r1; r++)
            {
                var ys = yv.AsSpan(r * cols, cols);
                var os = ov.AsSpan(r * cols, cols);
                var dot = TensorPrimitives.Dot(gv.AsSpan(r * cols, cols), ys);
                TensorPrimitives.Subtract(gv.AsSpan(r * cols, cols), dot, os);
                TensorPrimitives.Multiply(os, ys, os);
            }
        });
    }

    public void SoftmaxCrossEntropy(Storage logits, Storage targets, bool targetsAreIndices, int rows, int cols, Storage rowLoss, Storage gradient, double gradientScale)
    {
        var xv = A(logits);
        var tv = A(targets);
        var lv = A(rowLoss);
        var gv = A(gradient);
        var scale = (float)gradientScale;
        for (var r = 0; r < rows && targetsAreIndices; r++) ClassLabels.Index(tv[r], cols, r);
        ForChunks(rows, cols * 4, (xv, tv, lv, gv, cols, scale, targetsAreIndices),
            static (in (float[] X, float[] T, float[] L, float[] G, int Cols, float Scale, bool Indices) st, int r0, int r1) =>
        {
            var (xv, tv, lv, gv, cols, scale, targetsAreIndices) = st;
            for (var r = r0; r < r1; r++)
            {
                var xs = xv.AsSpan(r * cols, cols);
                var gs = gv.AsSpan(r * cols, cols);
                var logSum = StableSoftmax(xs, gs);
                if (targetsAreIndices)
                {
                    var k = (int)tv[r];
                    lv[r] = logSum - xs[k];
                    gs[k] -= 1;
                }
                else
                {
                    var ts = tv.AsSpan(r * cols, cols);
                    // −Σ t·(x − logSum) = logSum·Σt − t·x
                    lv[r] = logSum * TensorPrimitives.Sum(ts) - TensorPrimitives.Dot(ts, xs);
                    TensorPrimitives.Subtract(gs, ts, gs);
                }
                TensorPrimitives.Multiply(gs, scale, gs);
            }
        });
    }

    public void SigmoidCrossEntropy(Storage logits, Storage targets, int length, Storage loss, Storage gradient, double gradientScale)
    {
        var xv = A(logits);
        var tv = A(targets);
        var lv = A(loss);
        var gv = A(gradient);
        var scale = (float)gradientScale;
        ForChunks(length, 8, (xv, tv, lv, gv, scale), static (in (float[] X, float[] T, float[] L, float[] G, float Scale) st, int s, int e) =>
        {
            var (xv, tv, lv, gv, scale) = st;
            for (var i = s; i < e; i++)
            {
                var x = xv[i];
                var t = tv[i];
                lv[i] = MathF.Max(x, 0) - x * t + MathF.Log(1 + MathF.Exp(-MathF.Abs(x)));
                gv[i] = (1 / (1 + MathF.Exp(-x)) - t) * scale;
            }
        });
    }
}
