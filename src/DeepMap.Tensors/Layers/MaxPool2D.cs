using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>Max over size×size windows with stride = size: [N, C, H, W] → [N, C, H/size, W/size].</summary>
public sealed class MaxPool2D(int size = 2) : Layer
{
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "pool size must be positive");

    public override Tensor Forward(Tensor x, bool training) => Op.MaxPool2D(x, Size);

    public override LayerSpec ToSpec() => new MaxPool2DSpec(Size);
}
