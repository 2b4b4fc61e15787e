using System.Text.Json;

namespace DeepMap.Cli.Tests;

/// <summary>`cluster leave` and `cluster down` against their own local cluster, so the members of the shared fixture stay as they are.</summary>
public sealed class ClusterMembershipTests
{
    [Fact]
    public async Task A_worker_asked_to_leave_and_one_marked_down_are_gone_from_cluster_show()
    {
        var home = Directory.CreateTempSubdirectory("deepmap-leave-").FullName;
        var cli = new CliRunner(new CliSettings($"http://127.0.0.1:{CliRunner.FreePort()}", null, home));
        try
        {
            var up = await cli.Run("local", "up", "--workers", "2", "--port", CliRunner.FreePort().ToString(), "--json");
            Assert.True(up.Exit == 0, up.Out + up.Err);
            Assert.Equal(2, JsonDocument.Parse(up.Out).RootElement.GetProperty("worker_pids").GetArrayLength());
            var show = await cli.Run("cluster", "show");
            Assert.Contains("Count: 3 nodes", show.Out);
            var workers = show.Out.Split('\n').Where(l => l.Contains("[worker]")).Select(l => l.Split(" | ")[0]).ToArray();

            var leave = await cli.Run("cluster", "leave", workers[0]);
            Assert.Equal((0, $"leave: {workers[0]}\n"), (leave.Exit, leave.Out));
            show = await UntilGone(cli, workers[0]);
            Assert.DoesNotContain(workers[0], show.Out);
            Assert.Contains("Count: 2 nodes", show.Out);

            // A downed worker starts a new actor system and joins again, under a new port: its old address is gone.
            var down = await cli.Run("cluster", "down", workers[1], "--json");
            Assert.True(down.Exit == 0, down.Out + down.Err);
            var requested = JsonDocument.Parse(down.Out).RootElement;
            Assert.Equal(("down", workers[1]), (requested.GetProperty("requested").GetString(), requested.GetProperty("address").GetString()));
            show = await UntilGone(cli, workers[1]);
            Assert.DoesNotContain(workers[1], show.Out);

            var unknown = await cli.Run("cluster", "leave", "akka.tcp://deepmap@127.0.0.1:1");
            Assert.Equal(2, unknown.Exit);
            Assert.Contains("no member", unknown.Err);

            var stopped = await cli.Run("local", "down", "--json");
            Assert.Equal((0, true), (stopped.Exit, JsonDocument.Parse(stopped.Out).RootElement.GetProperty("stopped").GetBoolean()));
            Assert.False(JsonDocument.Parse((await cli.Run("local", "status", "--json")).Out).RootElement.GetProperty("running").GetBoolean());
        }
        finally
        {
            await cli.Run("local", "down");
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<(int Exit, string Out, string Err)> UntilGone(CliRunner cli, string address)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        (int Exit, string Out, string Err) show;
        do
        {
            await Task.Delay(500);
            show = await cli.Run("cluster", "show");
        }
        while (show.Out.Contains(address) && DateTime.UtcNow < deadline);
        return show;
    }
}
