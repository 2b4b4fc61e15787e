using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Ops;

public static partial class Op
{
    /// <summary>
    /// Mean cross-entropy of logits [N, C] against class indices [N] or target distributions [N, C], through a fused,
    /// stable log-softmax. The gradient is computed with the loss and kept for the backward pass.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targets)
    {
        var backend = BackendOf(logits, targets);
        RequireRank(logits, 2, "CrossEntropy");
        int rows = logits.Shape[0], cols = logits.Shape[1];
        var indices = targets.Rank == 1 || (targets.Rank == 2 && targets.Shape[1] == 1 && cols != 1);
        if (indices ? targets.Size != rows : !targets.Shape.AsSpan().SequenceEqual(logits.Shape))
            throw new ArgumentException($"CrossEntropy: targets {ShapeMath.Format(targets.Shape)} match neither [{rows}] class indices nor logits {ShapeMath.Format(logits.Shape)}");
        var rowLoss = Tensor.Empty(backend, rows);
        var gradient = Tensor.Empty(backend, rows, cols);
        backend.SoftmaxCrossEntropy(logits.Storage, targets.Storage, indices, rows, cols, rowLoss.Storage, gradient.Storage, 1.0 / rows);
        var loss = MeanOfAll(rowLoss);
        rowLoss.Release();
        return WithSavedGradient(loss, logits, gradient);
    }

    /// <summary>Mean binary cross-entropy of logits against targets in [0, 1] of the same shape, stable for large |x|.</summary>
    public static Tensor BinaryCrossEntropy(Tensor logits, Tensor targets)
    {
        var backend = BackendOf(logits, targets);
        if (logits.Size != targets.Size)
            throw new ArgumentException($"BinaryCrossEntropy: targets {ShapeMath.Format(targets.Shape)} do not match logits {ShapeMath.Format(logits.Shape)}");
        var elementLoss = Tensor.Empty(backend, logits.Size);
        var gradient = Tensor.Empty(backend, logits.Shape);
        backend.SigmoidCrossEntropy(logits.Storage, targets.Storage, logits.Size, elementLoss.Storage, gradient.Storage, 1.0 / logits.Size);
        var loss = MeanOfAll(elementLoss);
        elementLoss.Release();
        return WithSavedGradient(loss, logits, gradient);
    }

    /// <summary>Mean squared error; targets must have the prediction's size.</summary>
    public static Tensor MeanSquaredError(Tensor prediction, Tensor targets)
    {
        BackendOf(prediction, targets);
        if (prediction.Size != targets.Size)
            throw new ArgumentException($"MeanSquaredError: targets {ShapeMath.Format(targets.Shape)} do not match predictions {ShapeMath.Format(prediction.Shape)}");
        var t = targets.Shape.AsSpan().SequenceEqual(prediction.Shape) ? targets : targets.View(prediction.Shape);
        var diff = Sub(prediction, t);
        var squared = Square(diff);
        return Mean(squared);
    }

    private static Tensor MeanOfAll(Tensor values)
    {
        var backend = values.Backend;
        var sum = Tensor.Empty(backend, 1);
        backend.ReduceSum(values.Storage, [values.Size], sum.Storage, [1]);
        backend.Scale(sum.Storage, sum.Storage, 1, 1.0 / values.Size, 0);
        return sum;
    }

    private static Tensor WithSavedGradient(Tensor loss, Tensor logits, Tensor gradient)
    {
        if (SavedGradientNode.Attach(loss, logits) is { } node) node.Gradient = gradient;
        else gradient.Release();
        return loss;
    }

    /// <summary>A fused loss: the gradient by its logits was computed with the loss and is scaled by the upstream one.</summary>
    private sealed class SavedGradientNode : GraphNode<SavedGradientNode>
    {
        public Tensor? Gradient;

        public override void Backward(Tensor loss, Tensor upstream, GradientSink sink)
        {
            var gradient = Gradient!;
            var r = Tensor.Empty(gradient.Backend, gradient.Shape);
            Span<int> scalar = stackalloc int[gradient.Rank];
            scalar.Fill(1);
            gradient.Backend.Binary(BinaryOp.Mul, gradient.Storage, gradient.Shape, upstream.Storage, scalar, r.Storage, gradient.Shape);
            sink.Add(Input(0), r);
        }

        protected override void ClearSaved() => Gradient = null;
    }
}
