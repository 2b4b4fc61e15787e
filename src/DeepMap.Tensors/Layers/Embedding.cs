using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Initialization;
using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Layers;

/// <summary>Token indices [N, T] → vectors [N, T, dim] from a learned table [vocab, dim].</summary>
public sealed class Embedding(int vocab, int dim) : Layer
{
    private Tensor? _table;

    public int Vocab { get; } = vocab > 0 ? vocab : throw new ArgumentOutOfRangeException(nameof(vocab), vocab, "vocabulary must not be empty");

    public int Dim { get; } = dim > 0 ? dim : throw new ArgumentOutOfRangeException(nameof(dim), dim, "embedding width must be positive");

    protected override void CreateParameters(IBackend backend, int[] inputShape) =>
        _table = AddParameter(backend, "weight", [Vocab, Dim], Initializer.GlorotUniform, Vocab, Dim);

    public override Tensor Forward(Tensor x, bool training) => Op.Embedding(x, _table!);

    public override LayerSpec ToSpec() => new EmbeddingSpec(Vocab, Dim);
}
