using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>Max over size×size windows with stride = size: [N, C, H, W] → [N, C, H/size, W/size].</summary>
public sealed class MaxPool2D(int size = 2) : Layer
{
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "pool size must be positive");

    protected override int[] OnBuild(IBackend backend, int[] inputShape)
    {
        RequireRank(inputShape, 3, "MaxPool2D");
        var g = Conv2DGeometry.For(1, inputShape[0], inputShape[1], inputShape[2], Size, Size, samePadding: false);
        return [inputShape[0], g.OutHeight, g.OutWidth];
    }

    public override Tensor Forward(Tensor x, bool training) => Op.MaxPool2D(x, Size);

    public override LayerSpec ToSpec() => new MaxPool2DSpec(Size);
}
