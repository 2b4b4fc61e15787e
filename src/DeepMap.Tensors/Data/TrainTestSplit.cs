using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Data;

/// <summary>Seeded, reproducible splits of a table's rows into a training and a test set.</summary>
public static class TrainTestSplit
{
    /// <summary>
    /// Shuffles the row indices with <paramref name="seed"/> and takes round(rows × testFraction) of them, halves rounded
    /// up, as the test set.
    /// </summary>
    /// <returns>Both index sets in shuffled order; together they hold every row exactly once.</returns>
    public static (int[] Train, int[] Test) Indices(int rows, double testFraction, ulong seed)
    {
        if (rows < 2) throw new ArgumentException($"rows is {rows}, a split needs at least 2", nameof(rows));
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentException($"testFraction is {testFraction}, expected a value strictly between 0 and 1", nameof(testFraction));
        var testCount = (int)Math.Round(rows * testFraction, MidpointRounding.AwayFromZero);
        if (testCount == 0 || testCount == rows)
            throw new ArgumentException(
                $"testFraction {testFraction} of {rows} rows leaves the {(testCount == 0 ? "test" : "training")} set empty", nameof(testFraction));

        var order = new SeededRandom(seed).Permutation(rows);
        return (order[testCount..], order[..testCount]);
    }

    /// <summary>Copies the selected rows, in the order given, into a new row-major array.</summary>
    /// <param name="data">Row-major rows of <paramref name="rowLength"/> values.</param>
    /// <param name="rowLength">Values per row.</param>
    /// <param name="rows">Indices of the rows to copy; a row may appear more than once.</param>
    public static float[] Gather(ReadOnlySpan<float> data, int rowLength, ReadOnlySpan<int> rows)
    {
        if (rowLength <= 0) throw new ArgumentException($"rowLength is {rowLength}, expected a positive number", nameof(rowLength));
        if (data.Length % rowLength != 0)
            throw new ArgumentException($"data has {data.Length} values, not a multiple of rowLength {rowLength}", nameof(data));
        var available = data.Length / rowLength;
        var result = new float[checked(rows.Length * rowLength)];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if ((uint)row >= (uint)available)
                throw new ArgumentException($"rows[{i}] is {row}, outside the {available} rows of data", nameof(rows));
            data.Slice(row * rowLength, rowLength).CopyTo(result.AsSpan(i * rowLength, rowLength));
        }
        return result;
    }
}
