using DeepMap.Worker;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Worker.Tests;

public sealed class WorkerSettingsTests
{
    private static WorkerSettings From(params (string Key, string Value)[] values) =>
        WorkerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void A_worker_rejoins_after_ten_seconds_without_a_coordinator_unless_told_otherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), From(("SEEDS", "10.0.0.1:4053")).RejoinAfter);
        Assert.Equal(TimeSpan.FromSeconds(2.5), From(("SEEDS", "10.0.0.1:4053"), ("REJOIN_AFTER", "2.5")).RejoinAfter);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("NaN")]
    [InlineData("1e9")]
    public void A_rejoin_delay_that_is_not_a_sensible_number_of_seconds_is_refused_by_name(string text) =>
        Assert.Equal($"DEEPMAP_REJOIN_AFTER: '{text}' is not a number of seconds in (0, 86400]",
            Assert.Throws<ArgumentException>(() => From(("SEEDS", "10.0.0.1:4053"), ("REJOIN_AFTER", text))).Message);

    [Fact]
    public void A_worker_without_seeds_is_told_to_name_the_coordinator() =>
        Assert.StartsWith("DEEPMAP_SEEDS is empty", Assert.Throws<ArgumentException>(() => From()).Message);

    [Fact]
    public void A_straggler_pause_is_whole_milliseconds_and_none_by_default()
    {
        Assert.Equal(TimeSpan.Zero, From(("SEEDS", "10.0.0.1:4053")).Straggle);
        Assert.Equal(TimeSpan.FromMilliseconds(80), From(("SEEDS", "10.0.0.1:4053"), ("STRAGGLE_MS", "80")).Straggle);
        Assert.Equal("DEEPMAP_STRAGGLE_MS: '0.5' is not a whole number of milliseconds in [0, 60000]",
            Assert.Throws<ArgumentException>(() => From(("SEEDS", "10.0.0.1:4053"), ("STRAGGLE_MS", "0.5"))).Message);
    }
}
