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

    /// <summary>
    /// The output shape (without the batch axis) and parameter count for an input shape, without allocating anything;
    /// an input the layer cannot take is an <see cref="ArgumentException"/> that says why. The layers build from this.
    /// </summary>
    public abstract LayerShape Infer(int[] input);

    protected static void RequireRank(int[] input, int rank, string layer)
    {
        if (input.Length != rank)
            throw new ArgumentException($"{layer} expects inputs of rank {rank} (without the batch axis); got {ShapeMath.Format(input)}");
    }
}

/// <summary>What a layer makes of its input: the output shape and how many parameters it owns.</summary>
public sealed record LayerShape(int[] Output, long Parameters);

public sealed record DenseSpec(int Units, Activation Activation = Activation.None) : LayerSpec
{
    public override Layer Create() => new Dense(Units, Activation);

    public override LayerShape Infer(int[] input)
    {
        if (Units <= 0) throw new ArgumentException($"units must be positive; got {Units}");
        if (input.Length != 1)
            throw new ArgumentException($"Dense expects flat inputs; got {ShapeMath.Format(input)} (add a Flatten layer before it)");
        return new LayerShape([Units], (long)input[0] * Units + Units);
    }
}

public sealed record Conv2DSpec(int Filters, int Kernel, int Stride = 1, Padding Padding = Padding.Same, Activation Activation = Activation.None) : LayerSpec
{
    public override Layer Create() => new Conv2D(Filters, Kernel, Stride, Padding, Activation);

    public override LayerShape Infer(int[] input)
    {
        if (Filters <= 0) throw new ArgumentException($"filters must be positive; got {Filters}");
        if (Kernel <= 0) throw new ArgumentException($"kernel must be positive; got {Kernel}");
        if (Stride <= 0) throw new ArgumentException($"stride must be positive; got {Stride}");
        RequireRank(input, 3, "Conv2D");
        var g = Conv2DGeometry.For(1, input[0], input[1], input[2], Kernel, Stride, Padding == Padding.Same);
        return new LayerShape([Filters, g.OutHeight, g.OutWidth], (long)Filters * input[0] * Kernel * Kernel + Filters);
    }
}

public sealed record MaxPool2DSpec(int Size = 2) : LayerSpec
{
    public override Layer Create() => new MaxPool2D(Size);

    public override LayerShape Infer(int[] input)
    {
        if (Size <= 0) throw new ArgumentException($"size must be positive; got {Size}");
        RequireRank(input, 3, "MaxPool2D");
        var g = Conv2DGeometry.For(1, input[0], input[1], input[2], Size, Size, samePadding: false);
        return new LayerShape([input[0], g.OutHeight, g.OutWidth], 0);
    }
}

public sealed record FlattenSpec : LayerSpec
{
    public override Layer Create() => new Flatten();

    public override LayerShape Infer(int[] input) => new([ShapeMath.Size(input)], 0);
}

public sealed record DropoutSpec(double Rate) : LayerSpec
{
    public override Layer Create() => new Dropout(Rate);

    public override LayerShape Infer(int[] input)
    {
        if (Rate is < 0 or >= 1) throw new ArgumentException($"rate must be in [0, 1); got {Rate}");
        return new LayerShape(input, 0);
    }
}

public sealed record SimpleRnnSpec(int Units, bool ReturnSequences = false) : LayerSpec
{
    public override Layer Create() => new SimpleRnn(Units, ReturnSequences);

    public override LayerShape Infer(int[] input)
    {
        if (Units <= 0) throw new ArgumentException($"units must be positive; got {Units}");
        RequireRank(input, 2, "SimpleRNN");
        return new LayerShape(ReturnSequences ? [input[0], Units] : [Units], (long)input[1] * Units + (long)Units * Units + Units);
    }
}

public sealed record LstmSpec(int Units, bool ReturnSequences = false) : LayerSpec
{
    public override Layer Create() => new Lstm(Units, ReturnSequences);

    public override LayerShape Infer(int[] input)
    {
        if (Units <= 0) throw new ArgumentException($"units must be positive; got {Units}");
        RequireRank(input, 2, "LSTM");
        return new LayerShape(ReturnSequences ? [input[0], Units] : [Units], 4L * ((long)input[1] * Units + (long)Units * Units + Units));
    }
}

public sealed record EmbeddingSpec(int Vocab, int Dim) : LayerSpec
{
    public override Layer Create() => new Embedding(Vocab, Dim);

    public override LayerShape Infer(int[] input)
    {
        if (Vocab <= 0) throw new ArgumentException($"vocab must be positive; got {Vocab}");
        if (Dim <= 0) throw new ArgumentException($"dim must be positive; got {Dim}");
        return new LayerShape([.. input, Dim], (long)Vocab * Dim);
    }
}

public sealed record ActivationSpec(Activation Activation) : LayerSpec
{
    public override Layer Create() => new ActivationLayer(Activation);

    public override LayerShape Infer(int[] input) => new(input, 0);
}
