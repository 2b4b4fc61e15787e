using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Conformance;

/// <summary>Seeded test inputs, exactly representable in float32 so both precisions start from the same numbers.</summary>
public static class RandomArrays
{
    public static double[] Uniform(int count, double low, double high, ulong seed)
    {
        var random = new SeededRandom(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
        return values;
    }

    /// <summary>Magnitudes in [low, high] with random signs: denominators kept away from zero.</summary>
    public static double[] AwayFromZero(int count, double low, double high, ulong seed)
    {
        var random = new SeededRandom(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var magnitude = low + (high - low) * random.NextDouble();
            values[i] = (float)(random.NextDouble() < 0.5 ? -magnitude : magnitude);
        }
        return values;
    }

    public static double[] ClassIndices(int count, int classes, ulong seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, count).Select(_ => (double)random.NextInt(classes)).ToArray();
    }

    /// <summary>Rows of positive numbers summing to one.</summary>
    public static double[] Distributions(int rows, int cols, ulong seed)
    {
        var values = Uniform(rows * cols, 0.1, 1, seed);
        for (var r = 0; r < rows; r++)
        {
            var sum = values.AsSpan(r * cols, cols).ToArray().Sum();
            for (var j = 0; j < cols; j++) values[r * cols + j] /= sum;
        }
        return values;
    }
}
