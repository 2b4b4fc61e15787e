using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Tests.Data;

public sealed class StandardScalerTests
{
    [Fact]
    public void Transformed_columns_have_mean_zero_and_standard_deviation_one()
    {
        float[] data = [1, 100, 2, 300, 3, 200, 10, 400];

        var scaler = StandardScaler.Fit(data, columns: 2);
        scaler.Transform(data);

        for (var c = 0; c < 2; c++)
        {
            var column = Enumerable.Range(0, 4).Select(r => (double)data[2 * r + c]).ToArray();
            var mean = column.Average();
            Assert.Equal(0, mean, 1e-6);
            Assert.Equal(1, Math.Sqrt(column.Average(x => (x - mean) * (x - mean))), 1e-6);
        }
    }

    [Fact]
    public void Fit_measures_mean_and_population_standard_deviation()
    {
        var scaler = StandardScaler.Fit([2, 4, 4, 4, 5, 5, 7, 9], columns: 1);

        Assert.Equal([5f], scaler.Mean);
        Assert.Equal([2f], scaler.Scale);
    }

    [Fact]
    public void Constant_column_gets_scale_one_and_becomes_zero()
    {
        float[] data = [0.1f, 1, 0.1f, 2, 0.1f, 3];

        var scaler = StandardScaler.Fit(data, columns: 2);
        scaler.Transform(data);

        Assert.Equal(1f, scaler.Scale[0]);
        Assert.Equal([0f, 0f, 0f], new[] { data[0], data[2], data[4] });
    }

    [Fact]
    public void Restored_scaler_applies_the_training_statistics_to_new_rows()
    {
        var fitted = StandardScaler.Fit([1, 10, 3, 30], columns: 2);
        var restored = new StandardScaler(fitted.Mean, fitted.Scale);
        float[] test = [4, 0];

        restored.Transform(test);

        Assert.Equal([2f, -2f], test);
    }

    [Fact]
    public void Constructor_copies_the_arrays()
    {
        float[] mean = [1];
        var scaler = new StandardScaler(mean, [2]);

        mean[0] = 99;

        Assert.Equal([1f], scaler.Mean);
    }

    [Fact]
    public void Fit_rejects_data_that_is_not_whole_rows()
    {
        var error = Assert.Throws<ArgumentException>(() => StandardScaler.Fit([1, 2, 3], columns: 2));

        Assert.Equal("data", error.ParamName);
    }

    [Fact]
    public void Constructor_rejects_a_zero_scale()
    {
        var error = Assert.Throws<ArgumentException>(() => new StandardScaler([0, 0], [1, 0]));

        Assert.StartsWith("scale[1] is 0", error.Message);
    }

    [Fact]
    public void Transform_rejects_rows_of_the_wrong_width()
    {
        var scaler = new StandardScaler([0, 0], [1, 1]);

        Assert.Throws<ArgumentException>(() => scaler.Transform(new float[3]));
    }
}
