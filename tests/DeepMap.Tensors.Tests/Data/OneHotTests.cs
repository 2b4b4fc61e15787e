using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Tests.Data;

public sealed class OneHotTests
{
    [Fact]
    public void Each_label_becomes_a_row_with_a_single_one()
    {
        var encoded = OneHot.Encode([2, 0, 1], classes: 3);

        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f, 0f, 1f, 0f], encoded);
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Label_that_is_not_a_class_index_is_rejected_naming_index_and_value(float label)
    {
        var error = Assert.Throws<ArgumentException>(() => OneHot.Encode([0, label], classes: 3));

        Assert.StartsWith($"labels[1] is {label}, expected an integer in [0, 3)", error.Message);
    }
}
