namespace DeepMap.Tensors.Backends.Reference;

public sealed partial class ReferenceBackend
{
    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var xv = D(x);
        var yv = D(y);
        Array.Clear(yv, 0, ShapeMath.Size(yShape));
        Span<int> index = stackalloc int[xShape.Length];
        var n = ShapeMath.Size(xShape);
        for (var flat = 0; flat < n; flat++)
        {
            ShapeMath.Unravel(flat, xShape, index);
            yv[ShapeMath.BroadcastOffset(index, yShape)] += xv[flat];
        }
    }

    public void ReduceMax(Storage x, int outer, int axis, int inner, Storage max, Storage argMax)
    {
        var xv = D(x);
        var mv = D(max);
        var av = D(argMax);
        for (var o = 0; o < outer; o++)
            for (var i = 0; i < inner; i++)
            {
                var best = double.NegativeInfinity;
                var bestIndex = 0;
                for (var a = 0; a < axis; a++)
                {
                    var v = xv[(o * axis + a) * inner + i];
                    if (v > best || double.IsNaN(v) && !double.IsNaN(best)) { best = v; bestIndex = a; }
                }
                mv[o * inner + i] = best;
                av[o * inner + i] = bestIndex;
            }
    }

    public void Permute(Storage x, ReadOnlySpan<int> xShape, ReadOnlySpan<int> permutation, Storage y)
    {
        var xv = D(x);
        var yv = D(y);
        Span<int> yShape = stackalloc int[xShape.Length];
        for (var i = 0; i < yShape.Length; i++) yShape[i] = xShape[permutation[i]];
        Span<int> yIndex = stackalloc int[xShape.Length];
        Span<int> xIndex = stackalloc int[xShape.Length];
        var n = ShapeMath.Size(xShape);
        for (var flat = 0; flat < n; flat++)
        {
            ShapeMath.Unravel(flat, yShape, yIndex);
            for (var i = 0; i < yIndex.Length; i++) xIndex[permutation[i]] = yIndex[i];
            yv[flat] = xv[ShapeMath.Ravel(xIndex, xShape)];
        }
    }

    public void Softmax(Storage x, Storage y, int rows, int cols)
    {
        var xv = D(x);
        var yv = D(y);
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < cols; j++) max = Math.Max(max, xv[r * cols + j]);
            double sum = 0;
            for (var j = 0; j < cols; j++) sum += yv[r * cols + j] = Math.Exp(xv[r * cols + j] - max);
            for (var j = 0; j < cols; j++) yv[r * cols + j] /= sum;
        }
    }

    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols)
    {
        var yv = D(y);
        var g = D(dy);
        var o = D(dx);
        for (var r = 0; r < rows; r++)
        {
            double dot = 0;
            for (var j = 0; j < cols; j++) dot += g[r * cols + j] * yv[r * cols + j];
            for (var j = 0; j < cols; j++) o[r * cols + j] = yv[r * cols + j] * (g[r * cols + j] - dot);
        }
    }

    public void SoftmaxCrossEntropy(Storage logits, Storage targets, bool targetsAreIndices, int rows, int cols, Storage rowLoss, Storage gradient, double gradientScale)
    {
        var x = D(logits);
        var t = D(targets);
        var loss = D(rowLoss);
        var grad = D(gradient);
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < cols; j++) max = Math.Max(max, x[r * cols + j]);
            double sum = 0;
            for (var j = 0; j < cols; j++) sum += Math.Exp(x[r * cols + j] - max);
            var logSum = Math.Log(sum) + max;
            double l = 0;
            for (var j = 0; j < cols; j++)
            {
                var target = targetsAreIndices ? (ClassLabels.Index(t[r], cols, r) == j ? 1.0 : 0.0) : t[r * cols + j];
                var logP = x[r * cols + j] - logSum;
                l -= target * logP;
                grad[r * cols + j] = (Math.Exp(logP) - target) * gradientScale;
            }
            loss[r] = l;
        }
    }

    public void SigmoidCrossEntropy(Storage logits, Storage targets, int length, Storage loss, Storage gradient, double gradientScale)
    {
        var x = D(logits);
        var t = D(targets);
        var l = D(loss);
        var g = D(gradient);
        for (var i = 0; i < length; i++)
        {
            l[i] = Math.Max(x[i], 0) - x[i] * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(x[i])));
            g[i] = (1 / (1 + Math.Exp(-x[i])) - t[i]) * gradientScale;
        }
    }
}
