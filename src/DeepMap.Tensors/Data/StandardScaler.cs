namespace DeepMap.Tensors.Data;

/// <summary>Standardizes each column of a row-major table to mean 0 and standard deviation 1.</summary>
/// <remarks>
/// Fit on the training rows only, then transform training and test rows with that same scaler: statistics taken over
/// the test rows would leak them into training and flatter the evaluation. Saving <see cref="Mean"/> and
/// <see cref="Scale"/> with a model and restoring them through the constructor lets inference apply exactly the
/// transform training saw.
/// </remarks>
public sealed class StandardScaler
{
    /// <summary>Restores a fitted scaler; the arrays are copied.</summary>
    public StandardScaler(float[] mean, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (mean.Length == 0) throw new ArgumentException("a scaler needs at least one column", nameof(mean));
        if (mean.Length != scale.Length)
            throw new ArgumentException($"mean has {mean.Length} columns but scale has {scale.Length}", nameof(scale));
        for (var c = 0; c < mean.Length; c++)
        {
            if (!float.IsFinite(mean[c])) throw new ArgumentException($"mean[{c}] is {mean[c]}, expected a finite number", nameof(mean));
            if (!float.IsFinite(scale[c]) || scale[c] <= 0)
                throw new ArgumentException($"scale[{c}] is {scale[c]}, expected a finite positive number", nameof(scale));
        }
        Mean = (float[])mean.Clone();
        Scale = (float[])scale.Clone();
    }

    /// <summary>Per column, the value <see cref="Transform"/> subtracts.</summary>
    public float[] Mean { get; }

    /// <summary>Per column, the population standard deviation <see cref="Transform"/> divides by; 1 for a constant column.</summary>
    public float[] Scale { get; }

    /// <summary>Measures each column's mean and population standard deviation.</summary>
    /// <param name="data">The training rows only, row-major.</param>
    /// <param name="columns">Values per row.</param>
    public static StandardScaler Fit(ReadOnlySpan<float> data, int columns)
    {
        if (columns <= 0) throw new ArgumentException($"columns is {columns}, expected a positive number", nameof(columns));
        if (data.Length == 0 || data.Length % columns != 0)
            throw new ArgumentException($"data has {data.Length} values, not a positive multiple of {columns} columns", nameof(data));
        var rows = data.Length / columns;

        // Double accumulators: a float sum over many rows loses the low digits that the variance is made of. They also
        // make a constant column's mean exact (below 2^29 rows), so its spread comes out exactly zero.
        var mean = new double[columns];
        for (var row = 0; row < data.Length; row += columns)
        {
            for (var c = 0; c < columns; c++)
            {
                var x = data[row + c];
                if (!float.IsFinite(x))
                    throw new ArgumentException($"data[{row + c}] (row {row / columns}, column {c}) is {x}, expected a finite number", nameof(data));
                mean[c] += x;
            }
        }
        for (var c = 0; c < columns; c++) mean[c] /= rows;

        // Two passes rather than a running sum of squares, which cancels catastrophically when the mean dwarfs the spread.
        var squares = new double[columns];
        for (var row = 0; row < data.Length; row += columns)
        {
            for (var c = 0; c < columns; c++)
            {
                var d = data[row + c] - mean[c];
                squares[c] += d * d;
            }
        }
        var meanOut = new float[columns];
        var scaleOut = new float[columns];
        for (var c = 0; c < columns; c++)
        {
            meanOut[c] = (float)mean[c];
            var std = (float)Math.Sqrt(squares[c] / rows);
            // A column without spread carries no information to rescale; 1 leaves it centred at 0 instead of dividing by 0.
            scaleOut[c] = std > 0 ? std : 1;
        }
        return new StandardScaler(meanOut, scaleOut);
    }

    /// <summary>Replaces each value x in column c by (x - Mean[c]) / Scale[c].</summary>
    /// <param name="data">Row-major rows of <c>Mean.Length</c> values.</param>
    public void Transform(Span<float> data)
    {
        var columns = Mean.Length;
        if (data.Length % columns != 0)
            throw new ArgumentException($"data has {data.Length} values, not a multiple of the scaler's {columns} columns", nameof(data));
        for (var row = 0; row < data.Length; row += columns)
        {
            var values = data.Slice(row, columns);
            for (var c = 0; c < columns; c++) values[c] = (values[c] - Mean[c]) / Scale[c];
        }
    }
}
