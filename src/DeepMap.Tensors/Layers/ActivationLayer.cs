using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>An activation on its own (softmax over the last axis).</summary>
public sealed class ActivationLayer(Activation activation) : Layer
{
    public Activation Activation { get; } = activation;

    public override Tensor Forward(Tensor x, bool training) => Op.Activate(x, Activation);

    public override LayerSpec ToSpec() => new ActivationSpec(Activation);
}
