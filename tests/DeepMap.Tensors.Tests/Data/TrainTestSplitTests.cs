using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Tests.Data;

public sealed class TrainTestSplitTests
{
    [Fact]
    public void Same_seed_gives_the_same_split()
    {
        var first = TrainTestSplit.Indices(50, 0.2, seed: 7);
        var second = TrainTestSplit.Indices(50, 0.2, seed: 7);

        Assert.Equal(first.Train, second.Train);
        Assert.Equal(first.Test, second.Test);
    }

    [Fact]
    public void Another_seed_gives_another_split()
    {
        var first = TrainTestSplit.Indices(50, 0.2, seed: 7);
        var second = TrainTestSplit.Indices(50, 0.2, seed: 8);

        Assert.NotEqual(first.Test, second.Test);
    }

    [Fact]
    public void Split_is_disjoint_and_complete_with_the_rounded_test_size()
    {
        var (train, test) = TrainTestSplit.Indices(10, 0.25, seed: 1);

        Assert.Equal(3, test.Length);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(Enumerable.Range(0, 10), train.Concat(test).Order());
    }

    [Fact]
    public void Split_is_shuffled()
    {
        var (train, test) = TrainTestSplit.Indices(100, 0.3, seed: 3);

        Assert.NotEqual(Enumerable.Range(0, 30), test);
        Assert.NotEqual(Enumerable.Range(30, 70), train);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Test_fraction_outside_zero_to_one_is_rejected(double fraction)
    {
        var error = Assert.Throws<ArgumentException>(() => TrainTestSplit.Indices(10, fraction, seed: 1));

        Assert.Equal("testFraction", error.ParamName);
    }

    [Fact]
    public void Fraction_that_rounds_to_an_empty_test_set_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainTestSplit.Indices(4, 0.1, seed: 1));

        Assert.StartsWith("testFraction 0.1 of 4 rows leaves the test set empty", error.Message);
    }

    [Fact]
    public void Gather_copies_the_selected_rows_in_order()
    {
        float[] data = [0, 1, 10, 11, 20, 21];

        var rows = TrainTestSplit.Gather(data, rowLength: 2, [2, 0, 2]);

        Assert.Equal([20f, 21f, 0f, 1f, 20f, 21f], rows);
    }

    [Fact]
    public void Gather_rejects_a_row_index_out_of_range()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainTestSplit.Gather([0, 1, 2, 3], rowLength: 2, [1, 2]));

        Assert.StartsWith("rows[1] is 2, outside the 2 rows of data", error.Message);
    }
}
