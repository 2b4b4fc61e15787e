using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests.Deploy;

/// <summary>
/// The cluster docker-compose.yml describes, run as plain processes of this checkout's build: each node gets the
/// environment its container would — the image's ENV, overlaid by the service's `environment` and env file as
/// `docker-compose config` resolves them — with only what a single machine forces substituted: a service's host name
/// becomes 127.0.0.1, every port a free port, and every mounted path its volume's source.
/// </summary>
public sealed class ComposeProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly string _state = Directory.CreateTempSubdirectory("deepmap-compose-state-").FullName;

    [Fact]
    public async Task The_compose_files_coordinator_and_two_workers_as_processes_train_the_boston_job()
    {
        var config = Compose.Config("docker-compose.yml");
        var coordinatorService = config.Service("coordinator");
        var workerService = config.Service("worker");
        var coordinatorHost = coordinatorService.Text("hostname")!;

        // Ports by service: what each container port becomes on this machine.
        var coordinatorPorts = new Dictionary<string, int>();
        var mounts = coordinatorService.Seq("volumes").Select(v => ((YamlDotNet.RepresentationModel.YamlScalarNode)v).Value!.Split(':'))
            .ToDictionary(v => v[1], v => v[0] == "state" ? _state : v[0]);

        var coordinatorEnv = Resolve("coordinator", Dockerfile.Read("coordinator.Dockerfile").Environment, coordinatorService.Environment(),
            coordinatorHost, coordinatorPorts, coordinatorPorts, mounts);
        _nodes.Add(NodeProcess.Start("DeepMap.Coordinator", coordinatorEnv));
        var workerHealth = new List<int>();
        for (var w = 0; w < 2; w++)
        {
            var ports = new Dictionary<string, int>();
            var env = Resolve($"worker {w + 1}", Dockerfile.Read("worker.Dockerfile").Environment, workerService.Environment(),
                coordinatorHost, ports, coordinatorPorts, mounts);
            _nodes.Add(NodeProcess.Start("DeepMap.Worker", env));
            workerHealth.Add(int.Parse(env["DEEPMAP_HEALTH_PORT"]));
        }

        var api = new Uri(coordinatorEnv["DEEPMAP_API"].Replace("0.0.0.0", "127.0.0.1"));
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", coordinatorEnv["DEEPMAP_TOKEN"]);
        // What the compose healthchecks ask: the coordinator's readiness, then each worker's.
        await WaitReady(http, new Uri(api, "/readyz"));
        foreach (var port in workerHealth) await WaitReady(http, new Uri($"http://127.0.0.1:{port}/readyz"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient { BaseAddress = api }.GetAsync("/api/jobs")).StatusCode);

        var spec = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "examples", "jobs", "boston-mlp.yaml"));
        var created = await http.PostAsync("/api/jobs", new StringContent(spec));
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(4);
        JsonElement status;
        while (true)
        {
            status = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            if (status.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") break;
            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not finish: {status}\n{Output}");
            await Task.Delay(500);
        }
        output.WriteLine(status.ToString());
        Assert.True(status.GetProperty("state").GetString() == "succeeded", $"{status}\n{Output}");

        var members = (await http.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("members").EnumerateArray().ToArray();
        Assert.Equal(2, members.Count(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker")));
    }

    /// <summary>
    /// The node's environment: the image's DEEPMAP_* ENV overlaid by the service's, then the single-machine
    /// substitutions, each written to the test output. Anything else passes through unchanged.
    /// </summary>
    private Dictionary<string, string> Resolve(string node, IReadOnlyDictionary<string, string> image, IReadOnlyDictionary<string, string> service,
        string coordinatorHost, Dictionary<string, int> ownPorts, Dictionary<string, int> coordinatorPorts, IReadOnlyDictionary<string, string> mounts)
    {
        var env = image.Where(e => e.Key.StartsWith("DEEPMAP_", StringComparison.Ordinal)).ToDictionary();
        foreach (var (key, value) in service) env[key] = value;
        int Port(Dictionary<string, int> ports, string containerPort) =>
            ports.TryGetValue(containerPort, out var port) ? port : ports[containerPort] = Repository.FreePort();
        foreach (var (key, value) in env.ToArray())
        {
            var resolved = key switch
            {
                "DEEPMAP_PORT" or "DEEPMAP_DATA_PORT" or "DEEPMAP_HEALTH_PORT" => Port(ownPorts, value).ToString(),
                "DEEPMAP_API" => new UriBuilder(value) { Port = Port(ownPorts, new Uri(value).Port.ToString()) }.Uri.ToString().TrimEnd('/'),
                "DEEPMAP_HOST" when value == coordinatorHost => "127.0.0.1",
                "DEEPMAP_SEEDS" => string.Join(",", value.Split(',').Select(seed => seed.Split(':') is [var host, var port] && host == coordinatorHost
                    ? $"127.0.0.1:{Port(coordinatorPorts, port)}"
                    : throw new InvalidOperationException($"seed {seed} does not name the coordinator service"))),
                "DEEPMAP_STATE" or "DEEPMAP_DATA" => string.Join(":", value.Split(':').Select(path => mounts[path])),
                _ => value,
            };
            env[key] = resolved;
            output.WriteLine(resolved == value ? $"{node}: {key}={value}" : $"{node}: {key}={value} -> {resolved}");
        }
        return env;
    }

    private async Task WaitReady(HttpClient http, Uri url)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < deadline, $"{url} never answered ready:\n{Output}");
            await Task.Delay(500);
        }
    }

    private string Output => string.Join("\n---\n", _nodes.Select(n => n.Output));

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        Directory.Delete(_state, recursive: true);
    }
}
