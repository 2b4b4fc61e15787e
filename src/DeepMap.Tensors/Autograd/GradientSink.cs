using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Autograd;

/// <summary>Where a backward function delivers its inputs' gradients; it sums those that reach one tensor twice.</summary>
internal sealed class GradientSink
{
    private readonly Dictionary<Tensor, Tensor> _pending = new(ReferenceEqualityComparer.Instance);

    /// <summary>Delivers a gradient the sink may keep (the caller must not use it afterwards).</summary>
    public void Add(Tensor input, Tensor gradient)
    {
        if (!input.TracksGradient)
        {
            gradient.Release();
            return;
        }
        if (input.Node is null)
        {
            AccumulateLeaf(input, gradient);
            return;
        }
        if (_pending.TryGetValue(input, out var existing))
        {
            input.Backend.Scale(gradient.Storage, existing.Storage, existing.Size, 1, 1);
            gradient.Release();
        }
        else
        {
            _pending[input] = gradient;
        }
    }

    /// <summary>Drops what was not taken (released) so the sink can serve the next pass.</summary>
    public void Clear()
    {
        foreach (var g in _pending.Values) g.Release();
        _pending.Clear();
    }

    public Tensor? Take(Tensor output)
    {
        if (!_pending.Remove(output, out var g)) return null;
        return g;
    }

    private static void AccumulateLeaf(Tensor leaf, Tensor gradient)
    {
        if (leaf.Grad is null)
        {
            // A leaf's gradient outlives the step's scope: it is read by the optimizer and released by ZeroGrad.
            TensorScope.Forget(gradient);
            leaf.Grad = gradient.Shape.AsSpan().SequenceEqual(leaf.Shape) ? gradient : Reshaped(gradient, leaf.Shape);
            return;
        }
        leaf.Backend.Scale(gradient.Storage, leaf.Grad.Storage, leaf.Grad.Size, 1, 1);
        gradient.Release();
    }

    private static Tensor Reshaped(Tensor gradient, int[] shape)
    {
        if (ShapeMath.Size(shape) != gradient.Size)
            throw new InvalidOperationException($"gradient of shape {ShapeMath.Format(gradient.Shape)} does not fit {ShapeMath.Format(shape)}");
        var copy = Ops.Op.Copy(gradient, shape);
        TensorScope.Forget(copy);
        gradient.Release();
        return copy;
    }
}
