namespace DeepMap.Tensors.Autograd;

/// <summary>How an op's output sends its gradient back: the inputs it read and the function that computes their gradients.</summary>
internal sealed class GraphNode(Tensor[] inputs, Action<Tensor, GradientSink> backward)
{
    public Tensor[] Inputs { get; } = inputs;

    public Action<Tensor, GradientSink> Backward { get; } = backward;
}
