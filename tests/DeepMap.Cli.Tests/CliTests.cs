using System.Text.Json;
using System.Text.RegularExpressions;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Models;

namespace DeepMap.Cli.Tests;

/// <summary>The CLI against a real coordinator and worker that `deepmap local up` started.</summary>
public sealed class CliTests(LocalClusterFixture cluster) : IClassFixture<LocalClusterFixture>
{
    private static readonly string Jobs = Path.Combine(CliRunner.RepositoryRoot(), "examples", "jobs");

    private static string ShortBoston()
    {
        var path = Path.Combine(Path.GetTempPath(), $"boston-short-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Jobs, "boston-mlp.yaml")).Replace("epochs: 10", "epochs: 3"));
        return path;
    }

    [Fact]
    public async Task Cluster_show_prints_one_line_per_member_and_the_count()
    {
        var (exit, output, _) = await cluster.Cli.Run("cluster", "show");
        Assert.Equal(0, exit);
        Assert.Contains("Count: 2 nodes", output);
        Assert.Contains("| [coordinator, ps] | up |", output);
        Assert.Matches(@"\| \[worker\] \| up \| cpu-simd", output);
    }

    [Fact]
    public async Task Local_status_prints_the_processes_then_the_members()
    {
        var (exit, output, error) = await cluster.Cli.Run("local", "status");
        Assert.True(exit == 0, output + error);
        Assert.Matches(@"^Local cluster since .*: coordinator pid \d+, worker pids \d+; logs in ", output);
        Assert.Contains("| [coordinator, ps] | up |", output);
        Assert.Contains("Count: 2 nodes", output);

        var json = await cluster.Cli.Run("local", "status", "--json");
        Assert.Equal(0, json.Exit);
        var status = JsonDocument.Parse(json.Out).RootElement;
        Assert.True(status.GetProperty("running").GetBoolean());
        Assert.Equal(1, status.GetProperty("local").GetProperty("worker_pids").GetArrayLength());
        Assert.Equal(2, status.GetProperty("cluster").GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Cluster_sharding_prints_a_line_per_region_and_node()
    {
        var (exit, output, error) = await cluster.Cli.Run("cluster", "sharding");
        Assert.True(exit == 0, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^partition \| akka\.tcp://deepmap@127\.0\.0\.1:\d+ \| \d+ shards \| \d+ entities$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^ps        \| akka\.tcp://deepmap@127\.0\.0\.1:{cluster.Port} \| \d+ shards \| \d+ entities$"));

        var json = await cluster.Cli.Run("cluster", "sharding", "--json");
        Assert.Equal(lines.Length, JsonDocument.Parse(json.Out).RootElement.GetProperty("regions").GetArrayLength());
    }

    [Fact]
    public async Task A_job_submitted_with_watch_runs_to_the_end_then_status_and_export_work()
    {
        var (exit, output, error) = await cluster.Cli.Run("job", "submit", ShortBoston(), "--watch");
        Assert.True(exit == 0, output + error);
        Assert.Contains("succeeded: test loss", output);
        var id = output.Split('\n')[0].Replace("job ", "").Replace(" submitted", "").Trim();

        var status = await cluster.Cli.Run("job", "status", id, "--json");
        Assert.Equal(0, status.Exit);
        var json = JsonDocument.Parse(status.Out).RootElement;
        Assert.Equal("succeeded", json.GetProperty("state").GetString());
        Assert.Matches("^[0-9a-f]{64}$", json.GetProperty("weights_sha256").GetString());

        // A path JSON must escape: --json prints it back exactly.
        var file = Path.Combine(Path.GetTempPath(), $"{id} \"quoted\" \\ model.safetensors");
        var export = await cluster.Cli.Run("job", "export", id, "-o", file, "--json");
        Assert.True(export.Exit == 0, export.Out + export.Err);
        var exported = JsonDocument.Parse(export.Out).RootElement;
        Assert.Equal(file, exported.GetProperty("path").GetString());
        Assert.Equal(new FileInfo(file).Length, exported.GetProperty("bytes").GetInt64());
        var model = Sequential.Load(file, new CpuBackend(1));
        Assert.Equal([13], model.InputShape);
        File.Delete(file);

        var list = await cluster.Cli.Run("job", "list");
        Assert.Contains(id, list.Out);
    }

    [Fact]
    public async Task A_cancelled_job_watches_to_exit_code_1()
    {
        var spec = Path.Combine(Path.GetTempPath(), $"boston-long-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(spec, File.ReadAllText(Path.Combine(Jobs, "boston-mlp.yaml")).Replace("epochs: 10", "epochs: 100000"));
        var (exit, id, _) = await cluster.Cli.Run("job", "submit", spec);
        Assert.Equal(0, exit);
        id = id.Trim();
        var watch = cluster.Cli.Run("job", "watch", id);
        await Task.Delay(1500);
        Assert.Equal(0, (await cluster.Cli.Run("job", "cancel", id)).Exit);
        var watched = await watch;
        Assert.Equal(1, watched.Exit);
        Assert.Contains("cancelled", watched.Out);
    }

    public static TheoryData<string> BadSpecs => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "BadSpecs"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task A_bad_spec_exits_2_with_one_line_naming_the_field(string name)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "BadSpecs", name);
        var path = File.ReadLines(file).First().Replace("# path:", "").Trim();
        var (exit, output, error) = await cluster.Cli.Run("job", "submit", file);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(path.Length == 0 ? "deepmap: not valid YAML" : $"deepmap: {path}: ", line);
    }

    [Fact]
    public async Task An_unreachable_coordinator_is_exit_3_with_where_it_looked()
    {
        var (exit, _, error) = await cluster.Cli.Run("cluster", "show", "--api", $"http://127.0.0.1:{CliRunner.FreePort()}");
        Assert.Equal(3, exit);
        Assert.StartsWith("deepmap: cannot reach the coordinator at http://127.0.0.1:", error);
    }

    [Fact]
    public async Task Bad_usage_is_exit_2()
    {
        Assert.Equal(2, (await cluster.Cli.Run("job", "frobnicate")).Exit);
        Assert.Equal(2, (await cluster.Cli.Run("job", "export", "some-id")).Exit);
        Assert.Equal(2, (await cluster.Cli.Run("job", "status", "no-such-job")).Exit);
    }
}
