namespace DeepMap.Cli.Tests;

/// <summary>`cluster leave` against its own local cluster, so the members of the shared fixture stay as they are.</summary>
public sealed class ClusterMembershipTests
{
    [Fact]
    public async Task A_worker_asked_to_leave_is_gone_from_cluster_show()
    {
        var home = Directory.CreateTempSubdirectory("deepmap-leave-").FullName;
        var cli = new CliRunner(new CliSettings($"http://127.0.0.1:{CliRunner.FreePort()}", null, home));
        try
        {
            var up = await cli.Run("local", "up", "--workers", "2", "--port", CliRunner.FreePort().ToString());
            Assert.True(up.Exit == 0, up.Out + up.Err);
            var show = await cli.Run("cluster", "show");
            Assert.Contains("Count: 3 nodes", show.Out);
            var worker = show.Out.Split('\n').First(l => l.Contains("[worker]")).Split(" | ")[0];

            var leave = await cli.Run("cluster", "leave", worker);
            Assert.Equal(0, leave.Exit);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            do
            {
                await Task.Delay(500);
                show = await cli.Run("cluster", "show");
            }
            while (show.Out.Contains(worker) && DateTime.UtcNow < deadline);
            Assert.DoesNotContain(worker, show.Out);
            Assert.Contains("Count: 2 nodes", show.Out);

            var unknown = await cli.Run("cluster", "leave", "akka.tcp://deepmap@127.0.0.1:1");
            Assert.Equal(2, unknown.Exit);
            Assert.Contains("no member", unknown.Err);
        }
        finally
        {
            await cli.Run("local", "down");
            Directory.Delete(home, recursive: true);
        }
    }
}
