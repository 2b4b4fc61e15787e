using System.Text.Json.Serialization;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Layers;

/// <summary>
/// What a layer is, without its weights: enough to build the same layer elsewhere (a worker rebuilding the job's model).
/// Serialized with a "type" discriminator in snake_case.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(DenseSpec), "dense")]
[JsonDerivedType(typeof(Conv2DSpec), "conv2d")]
[JsonDerivedType(typeof(MaxPool2DSpec), "maxpool2d")]
[JsonDerivedType(typeof(FlattenSpec), "flatten")]
[JsonDerivedType(typeof(DropoutSpec), "dropout")]
[JsonDerivedType(typeof(SimpleRnnSpec), "simple_rnn")]
[JsonDerivedType(typeof(LstmSpec), "lstm")]
[JsonDerivedType(typeof(EmbeddingSpec), "embedding")]
[JsonDerivedType(typeof(ActivationSpec), "activation")]
public abstract record LayerSpec
{
    public abstract Layer Create();
}

public sealed record DenseSpec(int Units, Activation Activation = Activation.None) : LayerSpec
{
    public override Layer Create() => new Dense(Units, Activation);
}

public sealed record Conv2DSpec(int Filters, int Kernel, int Stride = 1, Padding Padding = Padding.Same, Activation Activation = Activation.None) : LayerSpec
{
    public override Layer Create() => new Conv2D(Filters, Kernel, Stride, Padding, Activation);
}

public sealed record MaxPool2DSpec(int Size = 2) : LayerSpec
{
    public override Layer Create() => new MaxPool2D(Size);
}

public sealed record FlattenSpec : LayerSpec
{
    public override Layer Create() => new Flatten();
}

public sealed record DropoutSpec(double Rate) : LayerSpec
{
    public override Layer Create() => new Dropout(Rate);
}

public sealed record SimpleRnnSpec(int Units, bool ReturnSequences = false) : LayerSpec
{
    public override Layer Create() => new SimpleRnn(Units, ReturnSequences);
}

public sealed record LstmSpec(int Units, bool ReturnSequences = false) : LayerSpec
{
    public override Layer Create() => new Lstm(Units, ReturnSequences);
}

public sealed record EmbeddingSpec(int Vocab, int Dim) : LayerSpec
{
    public override Layer Create() => new Embedding(Vocab, Dim);
}

public sealed record ActivationSpec(Activation Activation) : LayerSpec
{
    public override Layer Create() => new ActivationLayer(Activation);
}
