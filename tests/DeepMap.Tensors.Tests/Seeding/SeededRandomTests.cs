using DeepMap.Tensors.Randomness;

namespace DeepMap.Tensors.Tests.Seeding;

public sealed class SeededRandomTests
{
    [Theory]
    [InlineData(0UL, 0UL, 0UL)]
    [InlineData(42UL, 3UL, 7UL)]
    [InlineData(ulong.MaxValue, 1UL, ulong.MaxValue)]
    public void DeriveFirst_is_the_first_number_of_the_derived_stream(ulong seed, ulong index, ulong call)
    {
        Assert.Equal(SeededRandom.Derive(seed, index, call).NextUInt64(), SeededRandom.DeriveFirst(seed, index, call));
    }

    [Fact]
    public void Different_paths_give_different_streams()
    {
        Assert.NotEqual(SeededRandom.DeriveFirst(42, 1, 2), SeededRandom.DeriveFirst(42, 2, 1));
        Assert.NotEqual(SeededRandom.DeriveFirst(42, 1), SeededRandom.DeriveFirst(43, 1));
    }
}
