using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Initialization;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>y = act(x·W + b), x [N, in] → [N, units]; the bias and activation run in the GEMM's epilogue.</summary>
public sealed class Dense(int units, Activation activation = Activation.None, Initializer kernelInitializer = Initializer.GlorotUniform) : Layer
{
    private Tensor? _weight;
    private Tensor? _bias;

    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, "Dense needs at least one unit");

    public Activation Activation { get; } = activation;

    protected override void CreateParameters(IBackend backend, int[] inputShape)
    {
        _weight = AddParameter(backend, "weight", [inputShape[0], Units], kernelInitializer, inputShape[0], Units);
        _bias = AddParameter(backend, "bias", [Units], Initializer.Zeros, inputShape[0], Units);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var fused = Activation == Activation.Softmax ? Activation.None : Activation;
        var y = Op.Linear(x, _weight!, _bias, fused);
        return Activation == Activation.Softmax ? Op.Softmax(y) : y;
    }

    public override LayerSpec ToSpec() => new DenseSpec(Units, Activation);
}
