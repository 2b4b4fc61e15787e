using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DeepMap.Cluster.Tests;

/// <summary>The coordinator's API surface beyond jobs, on real processes: token, health, metrics, events, sharding.</summary>
public sealed class ApiTests
{
    private const string Job = """
        name: api-test
        data: {format: csv, path: boston_housing.csv, target: MEDV}
        model: {input: [13], layers: [{dense: {units: 16, activation: relu}}, {dense: {units: 1}}]}
        loss: mse
        metrics: [mae]
        epochs: 3
        batch_size: 16
        partitions: 2
        """;

    [Fact]
    public async Task With_a_token_the_api_needs_it_while_health_probes_metrics_events_and_sharding_work()
    {
        using var cluster = ProcessCluster.Start(workers: 1, Path.Combine(Repository.Root, "examples", "data"), token: "s3cret");
        using var anonymous = new HttpClient { BaseAddress = new Uri(cluster.Api) };
        var http = cluster.Http;

        await Until(async () => (await Try(() => http.GetAsync("/readyz")))?.StatusCode == HttpStatusCode.OK, "readiness", cluster);
        // Each probe runs its own Akka check, and says so: liveness the actor system's, readiness the cluster join's.
        var liveness = await anonymous.GetAsync("/healthz");
        Assert.Equal((HttpStatusCode.OK, "Healthy\nakka.actorsystem: Healthy (ActorSystem is running.)\n"), (liveness.StatusCode, await liveness.Content.ReadAsStringAsync()));
        var readiness = await anonymous.GetStringAsync("/readyz");
        Assert.StartsWith("Healthy\nakka.cluster.join: Healthy (", readiness);
        Assert.DoesNotContain("akka.actorsystem", readiness);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        await cluster.WaitForWorkers(1);

        var created = await http.PostAsync("/api/jobs", new StringContent(Job));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // Server-sent events, read with the query token as a browser's EventSource would send it.
        var events = new List<JsonElement>();
        using (var stream = new StreamReader(await anonymous.GetStreamAsync($"/api/jobs/{id}/events?access_token=s3cret")))
            while (await stream.ReadLineAsync() is { } line)
                if (line.StartsWith("data:", StringComparison.Ordinal)) events.Add(JsonDocument.Parse(line[5..]).RootElement.Clone());
        Assert.True(events.Count >= 2, $"{events.Count} events");
        Assert.Equal("succeeded", events[^1].GetProperty("state").GetString());
        var steps = events.Select(e => e.GetProperty("step").GetInt64()).ToArray();
        Assert.Equal(steps.Order(), steps);
        Assert.NotEmpty(events[^1].GetProperty("curve").EnumerateArray());
        var secondsPerStep = events[^1].GetProperty("seconds_per_step").GetDouble();
        Assert.True(secondsPerStep > 0, $"seconds_per_step {secondsPerStep}");

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("deepmap_jobs{state=\"succeeded\"} 1", metrics);
        Assert.Contains("deepmap_cluster_members{role=\"worker\",status=\"up\"} 1", metrics);
        Assert.Matches($"deepmap_worker_samples_total\\{{job=\"{id}\",node=\"akka.tcp://deepmap@127.0.0.1:\\d+\"\\}} \\d+", metrics);

        var sharding = await http.GetFromJsonAsync<JsonElement>("/api/cluster/sharding");
        Assert.Contains(sharding.GetProperty("regions").EnumerateArray(), r => r.GetProperty("region").GetString() == "ps");
    }

    [Fact]
    public void A_coordinator_bound_beyond_loopback_without_a_token_refuses_to_start()
    {
        using var node = NodeProcess.Start("DeepMap.Coordinator", new Dictionary<string, string>
        {
            ["DEEPMAP_API"] = $"http://0.0.0.0:{Repository.FreePort()}", ["DEEPMAP_PORT"] = Repository.FreePort().ToString(),
            ["DEEPMAP_STATE"] = Path.Combine(Path.GetTempPath(), "deepmap-refused"),
        });
        Assert.True(node.WaitForExit(TimeSpan.FromSeconds(60)), "the coordinator kept running");
        Assert.Equal(2, node.ExitCode);
        Assert.Contains("deepmap-coordinator: DEEPMAP_API binds to 0.0.0.0, beyond this machine: set DEEPMAP_TOKEN", node.Output);
    }

    private static async Task<HttpResponseMessage?> Try(Func<Task<HttpResponseMessage>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task Until(Func<Task<bool>> condition, string what, ProcessCluster cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(300);
        }
        throw new TimeoutException($"waited 60 s for {what}:\n{cluster.Output}");
    }
}
