using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Ops;
using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Layers;

/// <summary>
/// Drops inputs with probability <see cref="Rate"/> while training; identity otherwise. Each call draws a new mask
/// from (model seed, layer, call count), so a rerun with the same seed drops the same elements.
/// </summary>
public sealed class Dropout(double rate) : Layer
{
    private ulong _calls;

    public double Rate { get; } = rate is >= 0 and < 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "dropout rate must be in [0, 1)");

    public override Tensor Forward(Tensor x, bool training)
    {
        if (!training || Rate == 0) return x;
        var seed = SeededRandom.DeriveFirst(Seed, (ulong)Index, _calls++);
        return Op.Dropout(x, Rate, seed);
    }

    /// <summary>Where the mask sequence stands, so a resumed run draws the masks an uninterrupted one would.</summary>
    public ulong Calls
    {
        get => _calls;
        set => _calls = value;
    }

    public override LayerSpec ToSpec() => new DropoutSpec(Rate);
}
