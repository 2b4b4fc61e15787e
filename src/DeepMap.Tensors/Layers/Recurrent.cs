using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Initialization;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>An LSTM over [N, T, F]: the last hidden state [N, units], or all of them [N, T, units].</summary>
public sealed class Lstm(int units, bool returnSequences = false) : Layer
{
    private Tensor? _w, _u, _bias;

    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, "LSTM needs at least one unit");

    public bool ReturnSequences { get; } = returnSequences;

    protected override void CreateParameters(IBackend backend, int[] inputShape)
    {
        var features = inputShape[1];
        _w = AddParameter(backend, "weight_ih", [features, 4 * Units], Initializer.GlorotUniform, features, 4 * Units);
        _u = AddParameter(backend, "weight_hh", [Units, 4 * Units], Initializer.GlorotUniform, Units, 4 * Units);
        // Forget-gate bias of one, as Keras does: early on the cell keeps its state instead of forgetting it.
        var bias = new float[4 * Units];
        Array.Fill(bias, 1f, Units, Units);
        _bias = AddParameter(backend, "bias", [4 * Units], Initializer.Zeros, 1, 1);
        backend.Upload(bias, _bias.Storage);
    }

    public override Tensor Forward(Tensor x, bool training) => Op.Lstm(x, _w!, _u!, _bias!, ReturnSequences);

    public override LayerSpec ToSpec() => new LstmSpec(Units, ReturnSequences);
}

/// <summary>A simple (Elman) RNN with tanh over [N, T, F].</summary>
public sealed class SimpleRnn(int units, bool returnSequences = false) : Layer
{
    private Tensor? _w, _u, _bias;

    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), units, "SimpleRNN needs at least one unit");

    public bool ReturnSequences { get; } = returnSequences;

    protected override void CreateParameters(IBackend backend, int[] inputShape)
    {
        var features = inputShape[1];
        _w = AddParameter(backend, "weight_ih", [features, Units], Initializer.GlorotUniform, features, Units);
        _u = AddParameter(backend, "weight_hh", [Units, Units], Initializer.GlorotUniform, Units, Units);
        _bias = AddParameter(backend, "bias", [Units], Initializer.Zeros, 1, 1);
    }

    public override Tensor Forward(Tensor x, bool training) => Op.SimpleRnn(x, _w!, _u!, _bias!, ReturnSequences);

    public override LayerSpec ToSpec() => new SimpleRnnSpec(Units, ReturnSequences);
}
