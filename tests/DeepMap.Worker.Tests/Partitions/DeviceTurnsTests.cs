using DeepMap.Worker.Partitions;

namespace DeepMap.Worker.Tests.Partitions;

public sealed class DeviceTurnsTests
{
    [Fact]
    public async Task Partitions_on_one_node_compute_one_at_a_time()
    {
        var device = new DeviceTurns();
        var inside = 0;
        var most = 0;
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => device.Run(() =>
        {
            most = Math.Max(most, Interlocked.Increment(ref inside));
            Thread.Sleep(5);
            Interlocked.Decrement(ref inside);
            return i;
        }))));
        Assert.Equal(1, most);
        Assert.Equal(Enumerable.Range(0, 8), results.Order());
    }
}
