using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>[N, ...] → [N, product of the rest], without copying.</summary>
public sealed class Flatten : Layer
{
    public override Tensor Forward(Tensor x, bool training) => Op.Reshape(x, x.Shape[0], -1);

    public override LayerSpec ToSpec() => new FlattenSpec();
}
