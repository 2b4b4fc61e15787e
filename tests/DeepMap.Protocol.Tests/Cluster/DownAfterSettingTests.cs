using DeepMap.Protocol.Cluster;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Tests.Cluster;

public sealed class DownAfterSettingTests
{
    private static NodeSettings From(string? downAfter) =>
        NodeSettings.From(new ConfigurationBuilder().AddInMemoryCollection(downAfter is null ? [] : [new KeyValuePair<string, string?>("DOWN_AFTER", downAfter)]).Build(), 4053);

    [Fact]
    public void An_unreachable_node_is_downed_after_akkas_20_seconds_unless_told_otherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), From(null).DownAfter);
        Assert.Equal(TimeSpan.FromSeconds(7.5), From("7.5").DownAfter);
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("soon")]
    [InlineData("7200")]
    public void A_down_delay_outside_one_second_to_an_hour_is_refused_by_name(string text) =>
        Assert.Equal($"DEEPMAP_DOWN_AFTER: '{text}' is not a number of seconds in [1, 3600]", Assert.Throws<ArgumentException>(() => From(text)).Message);
}
