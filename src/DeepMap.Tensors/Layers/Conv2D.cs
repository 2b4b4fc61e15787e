using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Initialization;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>2-D convolution on NCHW inputs [N, C, H, W] → [N, filters, OH, OW], bias and activation fused.</summary>
public sealed class Conv2D(int filters, int kernel, int stride = 1, Padding padding = Padding.Same, Activation activation = Activation.None,
    Initializer kernelInitializer = Initializer.GlorotUniform) : Layer
{
    private Tensor? _weight;
    private Tensor? _bias;

    public int Filters { get; } = filters > 0 ? filters : throw new ArgumentOutOfRangeException(nameof(filters), filters, "Conv2D needs at least one filter");

    public int Kernel { get; } = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "kernel size must be positive");

    public int Stride { get; } = stride > 0 ? stride : throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be positive");

    public Padding Padding { get; } = padding;

    public Activation Activation { get; } = activation;

    protected override void CreateParameters(IBackend backend, int[] inputShape)
    {
        var channels = inputShape[0];
        var receptive = Kernel * Kernel;
        _weight = AddParameter(backend, "weight", [Filters, channels, Kernel, Kernel], kernelInitializer, channels * receptive, Filters * receptive);
        _bias = AddParameter(backend, "bias", [Filters], Initializer.Zeros, 1, 1);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var fused = Activation == Activation.Softmax ? Activation.None : Activation;
        var y = Op.Conv2D(x, _weight!, _bias, Stride, Padding == Padding.Same, fused);
        return Activation == Activation.Softmax ? Op.Softmax(y) : y;
    }

    public override LayerSpec ToSpec() => new Conv2DSpec(Filters, Kernel, Stride, Padding, Activation);
}
