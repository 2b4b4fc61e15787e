using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Initialization;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Layers;

/// <summary>
/// A step of a <see cref="Sequential"/> model. <see cref="Build"/> learns the input shape (without the batch axis),
/// creates the parameters from the model's seed and returns the output shape.
/// </summary>
public abstract class Layer
{
    private readonly List<Parameter> _parameters = [];

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public int[] InputShape { get; private set; } = [];

    public int[] OutputShape { get; private set; } = [];

    public bool IsBuilt { get; private set; }

    /// <summary>The layer's position in its model, used to name its parameters and derive its random streams.</summary>
    protected int Index { get; private set; }

    protected ulong Seed { get; private set; }

    internal int[] Build(IBackend backend, int[] inputShape, int index, ulong seed)
    {
        if (IsBuilt) throw new InvalidOperationException($"layer {index} ({GetType().Name}) is already part of a built model");
        Index = index;
        Seed = seed;
        InputShape = inputShape;
        OutputShape = ToSpec().Infer(inputShape).Output;
        CreateParameters(backend, inputShape);
        IsBuilt = true;
        return OutputShape;
    }

    /// <summary>Creates the layer's parameters for an input shape that <see cref="LayerSpec.Infer"/> accepted.</summary>
    protected virtual void CreateParameters(IBackend backend, int[] inputShape)
    {
    }

    /// <summary>Runs the layer on a batch [N, ...InputShape].</summary>
    public abstract Tensor Forward(Tensor x, bool training);

    public abstract LayerSpec ToSpec();

    protected Tensor AddParameter(IBackend backend, string name, int[] shape, Initializer init, int fanIn, int fanOut)
    {
        var random = SeededRandom.Derive(Seed, (ulong)Index, (ulong)_parameters.Count);
        var values = Initializers.Create(init, Backends.ShapeMath.Size(shape), fanIn, fanOut, random);
        var tensor = Tensor.FromArray(backend, values, shape).Keep();
        tensor.RequiresGrad = true;
        _parameters.Add(new Parameter($"layers.{Index}.{name}", tensor));
        return tensor;
    }
}
