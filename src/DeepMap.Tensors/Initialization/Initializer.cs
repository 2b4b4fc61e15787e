using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Initialization;

/// <summary>How a layer's weights start. Fan-in and fan-out are what Keras and PyTorch use for each layer kind.</summary>
public enum Initializer
{
    /// <summary>Uniform in ±√(6 / (fanIn + fanOut)): Keras' default.</summary>
    GlorotUniform,

    /// <summary>Normal with σ = √(2 / fanIn): suits ReLU.</summary>
    HeNormal,

    /// <summary>Uniform in ±√(6 / fanIn).</summary>
    HeUniform,

    Zeros,

    Ones,
}

public static class Initializers
{
    public static float[] Create(Initializer kind, int count, int fanIn, int fanOut, SeededRandom random)
    {
        var values = new float[count];
        switch (kind)
        {
            case Initializer.GlorotUniform:
                Uniform(values, Math.Sqrt(6.0 / (fanIn + fanOut)), random);
                break;
            case Initializer.HeUniform:
                Uniform(values, Math.Sqrt(6.0 / fanIn), random);
                break;
            case Initializer.HeNormal:
                var sigma = Math.Sqrt(2.0 / fanIn);
                for (var i = 0; i < count; i++) values[i] = (float)(random.NextGaussian() * sigma);
                break;
            case Initializer.Zeros:
                break;
            case Initializer.Ones:
                Array.Fill(values, 1f);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        return values;
    }

    private static void Uniform(float[] values, double limit, SeededRandom random)
    {
        for (var i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }
}
