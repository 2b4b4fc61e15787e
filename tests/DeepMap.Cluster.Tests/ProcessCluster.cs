using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// A coordinator and workers as real processes of this checkout's executables, on loopback with free ports and a
/// temporary state directory, configured only through DEEPMAP_* variables as a deployment would be.
/// </summary>
public sealed class ProcessCluster : IDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly List<NodeProcess> _stopped = [];
    private Dictionary<string, string> _coordinator = [];
    private Dictionary<string, string> _worker = [];

    private ProcessCluster(string api, string state)
    {
        Api = api;
        State = state;
        Http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Api { get; }

    public string State { get; }

    public HttpClient Http { get; }

    public string Output => string.Join("\n---\n", _stopped.Concat(_nodes).Select(n => n.Output));

    /// <summary>The last lines each node printed, coordinator first: what a failed test reports.</summary>
    public string Tail(int linesPerNode) =>
        string.Join("\n---\n", _stopped.Concat(_nodes).Select(n => string.Join("\n", n.Output.Split('\n').TakeLast(linesPerNode))));

    /// <param name="rejoinAfterSeconds">How long workers wait for an unreachable coordinator before joining again (DEEPMAP_REJOIN_AFTER).</param>
    /// <param name="host">The address the coordinator and the workers bind remoting to and advertise (DEEPMAP_HOST), and
    /// the workers' seed; null: 127.0.0.1. The HTTP API stays on 127.0.0.1.</param>
    /// <param name="downAfterSeconds">How long the split-brain resolver waits before downing an unreachable node (DEEPMAP_DOWN_AFTER), on every node.</param>
    public static ProcessCluster Start(int workers, string dataRoots, string? token = null, double? stepTimeoutSeconds = null, double? rejoinAfterSeconds = null, string? host = null,
        double? downAfterSeconds = null)
    {
        var remoting = Repository.FreePort();
        var cluster = new ProcessCluster($"http://127.0.0.1:{Repository.FreePort()}", Directory.CreateTempSubdirectory("deepmap-processes-").FullName);
        var coordinator = new Dictionary<string, string>
        {
            ["DEEPMAP_PORT"] = remoting.ToString(), ["DEEPMAP_API"] = cluster.Api, ["DEEPMAP_STATE"] = cluster.State,
            ["DEEPMAP_DATA"] = dataRoots, ["DEEPMAP_THREADS"] = "1",
        };
        if (host is not null) coordinator["DEEPMAP_HOST"] = host;
        if (downAfterSeconds is { } down) coordinator["DEEPMAP_DOWN_AFTER"] = down.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (stepTimeoutSeconds is { } timeout) coordinator["DEEPMAP_STEP_TIMEOUT"] = timeout.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (token is not null)
        {
            coordinator["DEEPMAP_TOKEN"] = token;
            cluster.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        cluster._coordinator = coordinator;
        cluster._nodes.Add(NodeProcess.Start("DeepMap.Coordinator", coordinator));
        cluster._worker = new Dictionary<string, string> { ["DEEPMAP_SEEDS"] = $"{host ?? "127.0.0.1"}:{remoting}", ["DEEPMAP_THREADS"] = "1" };
        if (host is not null) cluster._worker["DEEPMAP_HOST"] = host;
        if (rejoinAfterSeconds is { } rejoin) cluster._worker["DEEPMAP_REJOIN_AFTER"] = rejoin.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (downAfterSeconds is not null) cluster._worker["DEEPMAP_DOWN_AFTER"] = coordinator["DEEPMAP_DOWN_AFTER"];
        for (var w = 0; w < workers; w++) cluster.AddWorker();
        return cluster;
    }

    /// <summary>Starts one more worker that joins through the coordinator.</summary>
    /// <param name="settings">DEEPMAP_* settings of this worker only, over the cluster's.</param>
    /// <param name="netns">A network namespace to run the worker in (see <see cref="NetworkNamespace"/>); null: this one.</param>
    public void AddWorker(IReadOnlyDictionary<string, string>? settings = null, string? netns = null)
    {
        var environment = new Dictionary<string, string>(_worker);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        _nodes.Add(NodeProcess.Start("DeepMap.Worker", environment, netns));
    }

    /// <summary>What worker w (0-based) has printed so far (bounded as <see cref="NodeProcess.Output"/>).</summary>
    public string WorkerOutput(int w) => _nodes[1 + w].Output;

    /// <summary>Kills the coordinator with SIGKILL and starts it again with the same settings, ports and state directory.</summary>
    public void RestartCoordinator()
    {
        _nodes[0].Kill();
        _nodes[0].WaitForExit(TimeSpan.FromSeconds(10));
        _stopped.Add(_nodes[0]);
        _nodes[0] = NodeProcess.Start("DeepMap.Coordinator", _coordinator);
    }

    /// <summary>
    /// The index of the worker whose node has this address. By the address it listens on: a worker's log also names
    /// the other nodes' addresses (cluster membership), so searching its output for the address can match two workers.
    /// </summary>
    public int WorkerAt(string address) =>
        Enumerable.Range(0, _nodes.Count - 1).Single(w => WorkerAddress(w) == address);

    /// <summary>The address worker w (0-based) listens on, as Akka printed it when remoting started.</summary>
    public string WorkerAddress(int w) =>
        System.Text.RegularExpressions.Regex.Match(_nodes[1 + w].Output, @"listening on addresses : \[([^\]]+)\]") is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"worker {w} has not started remoting:\n{_nodes[1 + w].Output}");

    /// <summary>Kills worker w (0-based) with SIGKILL: no goodbye to the cluster.</summary>
    public void KillWorker(int w) => _nodes[1 + w].Kill();

    /// <summary>Stops worker w (0-based) with SIGTERM and waits for it to exit.</summary>
    public bool TerminateWorker(int w, TimeSpan timeout)
    {
        _nodes[1 + w].Terminate();
        return _nodes[1 + w].WaitForExit(timeout);
    }

    /// <summary>Waits until the coordinator answers and every worker is up with its device reported.</summary>
    public async Task WaitForWorkers(int workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var members = (await Http.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("members").EnumerateArray().ToArray();
                if (members.Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("device").ValueKind == JsonValueKind.String) >= workers)
                    return;
            }
            catch (HttpRequestException)
            {
                // The coordinator is still starting.
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{workers} workers did not come up:\n{Output}");
    }

    /// <summary>Waits until the shard coordinator knows this many partition regions, so new partitions spread over them.</summary>
    public async Task WaitForPartitionRegions(int regions)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var sharding = await Http.GetFromJsonAsync<JsonElement>("/api/cluster/sharding");
            if (sharding.GetProperty("regions").EnumerateArray().Count(r => r.GetProperty("region").GetString() == "partition") >= regions) return;
            await Task.Delay(500);
        }
        throw new TimeoutException($"{regions} partition regions did not register:\n{Output}");
    }

    /// <summary>Submits a job, checks it was accepted, and gives its id.</summary>
    public async Task<string> Submit(string spec)
    {
        var created = await Http.PostAsync("/api/jobs", new StringContent(spec));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Polls a running job until it has done at least this many steps, and gives its status then.</summary>
    public async Task<JsonElement> WaitForStep(string id, long step)
    {
        while (true)
        {
            await Task.Delay(50);
            var status = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            if (status.GetProperty("step").GetInt64() >= step) return status;
        }
    }

    /// <summary>Submits a job, waits for its end and checks it succeeded; gives its status and the seconds it took.</summary>
    public async Task<(JsonElement Status, double Seconds)> RunJob(string spec)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var id = await Submit(spec);
        var status = await WaitForEnd(id, TimeSpan.FromMinutes(3));
        Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
        return (status, clock.Elapsed.TotalSeconds);
    }

    public async Task<JsonElement> WaitForEnd(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            JsonElement? status = null;
            try
            {
                status = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
                if (status.Value.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return status.Value;
            }
            catch (HttpRequestException)
            {
                // The coordinator is restarting.
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} did not finish: {status}\n{Output}");
            await Task.Delay(500);
        }
    }

    public void Dispose()
    {
        foreach (var node in _stopped.Concat(_nodes)) node.Dispose();
        Http.Dispose();
        Directory.Delete(State, recursive: true);
    }
}
