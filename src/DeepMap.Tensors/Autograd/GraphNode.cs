namespace DeepMap.Tensors.Autograd;

/// <summary>
/// How an op's output sends its gradient back: the inputs it read, what it saved for the backward pass, and the
/// backward function. Each op has its own node kind; releasing the output recycles its node, so recording the graph
/// of a training step allocates nothing once one step has run.
/// </summary>
internal abstract class GraphNode
{
    private Tensor[] _inputs = [];
    private int _count;

    public ReadOnlySpan<Tensor> Inputs => _inputs.AsSpan(0, _count);

    /// <summary>Delivers to the sink the gradient of each input that tracks one, given the output and its gradient.</summary>
    public abstract void Backward(Tensor output, Tensor gradient, GradientSink sink);

    /// <summary>Drops every reference into the graph and makes the node available to the next op of its kind.</summary>
    public abstract void Recycle();

    protected Tensor Input(int index) => _inputs[index];

    protected void SetInputs(ReadOnlySpan<Tensor> inputs)
    {
        if (_inputs.Length < inputs.Length) _inputs = new Tensor[inputs.Length];
        inputs.CopyTo(_inputs);
        _count = inputs.Length;
    }

    protected void ClearInputs()
    {
        Array.Clear(_inputs, 0, _count);
        _count = 0;
    }
}

/// <summary>A node kind with its own per-thread pool.</summary>
internal abstract class GraphNode<TNode> : GraphNode where TNode : GraphNode<TNode>, new()
{
    [ThreadStatic] private static Stack<TNode>? t_free;

    /// <summary>
    /// Records an op: a node of this kind on <paramref name="output"/> over <paramref name="inputs"/>, for the caller to
    /// fill with what its backward needs; null when nothing is recorded (no-grad mode, or no input tracks gradients).
    /// </summary>
    public static TNode? Attach(Tensor output, params ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled || !AnyTracks(inputs)) return null;
        var node = t_free is not null && t_free.TryPop(out var free) ? free : new TNode();
        node.SetInputs(inputs);
        output.Node = node;
        return node;
    }

    public sealed override void Recycle()
    {
        ClearInputs();
        ClearSaved();
        (t_free ??= new Stack<TNode>()).Push((TNode)this);
    }

    /// <summary>Drops the tensors (and other references) the op saved for its backward.</summary>
    protected virtual void ClearSaved()
    {
    }

    private static bool AnyTracks(ReadOnlySpan<Tensor> inputs)
    {
        foreach (var input in inputs)
            if (input.TracksGradient) return true;
        return false;
    }
}
