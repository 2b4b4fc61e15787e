using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Models;
using Xunit.Abstractions;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// Real processes: a coordinator and two workers started as executables with DEEPMAP_* settings, a Fashion-MNIST
/// job submitted over HTTP, watched to the end, and its model downloaded and loaded.
/// </summary>
public sealed class EndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("deepmap-e2e-").FullName;
    private readonly List<NodeProcess> _nodes = [];

    private const string Job = """
        name: fashion-mnist-e2e
        seed: 3
        data:
          format: idx
          train_images: fashion-mnist/train-images-idx3-ubyte.gz
          train_labels: fashion-mnist/train-labels-idx1-ubyte.gz
          test_images: fashion-mnist/t10k-images-idx3-ubyte.gz
          test_labels: fashion-mnist/t10k-labels-idx1-ubyte.gz
          scale: unit
        model:
          input: [784]
          layers:
            - dense: {units: 128, activation: relu}
            - dense: {units: 10}
        loss: cross_entropy
        optimizer: {type: adam, lr: 0.002}
        metrics: [accuracy]
        epochs: 1
        batch_size: 128
        partitions: 4
        ps_shards: 2
        checkpoint_every: 200
        """;

    [Fact]
    public async Task A_job_submitted_over_http_to_a_coordinator_and_two_workers_trains_and_its_model_downloads()
    {
        var remoting = Repository.FreePort();
        var api = $"http://127.0.0.1:{Repository.FreePort()}";
        _nodes.Add(NodeProcess.Start("DeepMap.Coordinator", new Dictionary<string, string>
        {
            ["DEEPMAP_PORT"] = remoting.ToString(), ["DEEPMAP_API"] = api, ["DEEPMAP_STATE"] = _state,
            ["DEEPMAP_DATA"] = "/usr/share/datasets", ["DEEPMAP_THREADS"] = "1",
        }));
        for (var w = 0; w < 2; w++)
            _nodes.Add(NodeProcess.Start("DeepMap.Worker", new Dictionary<string, string>
            {
                ["DEEPMAP_SEEDS"] = $"127.0.0.1:{remoting}", ["DEEPMAP_THREADS"] = "1",
            }));
        using var http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(60) };
        await WaitForMembers(http, 3);

        var refused = await http.PostAsync("/api/jobs", new StringContent(Job.Replace("units: 128", "units: 0")));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("model.layers[0].dense.units", error.GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/jobs/no-such-job")).StatusCode);

        var created = await http.PostAsync("/api/jobs", new StringContent(Job));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var status = await WaitForEnd(http, id, TimeSpan.FromMinutes(5));
        output.WriteLine(status.ToString());
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var accuracy = status.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= 0.82, $"test accuracy {accuracy}");

        var modelPath = Path.Combine(_state, "downloaded.safetensors");
        await File.WriteAllBytesAsync(modelPath, await http.GetByteArrayAsync($"/api/jobs/{id}/model"));
        var backend = new CpuBackend(1);
        var model = Sequential.Load(modelPath, backend);
        var data = FashionMnist.Load(layout: ImageLayout.Flat, backend: backend);
        Assert.Equal(accuracy, model.Evaluate(data.TestImages, data.TestLabels)["accuracy"], 6);

        var cluster = await http.GetFromJsonAsync<JsonElement>("/api/cluster");
        var workers = cluster.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker")).ToArray();
        Assert.Equal(2, workers.Length);
        Assert.All(workers, w => Assert.StartsWith("cpu-simd", w.GetProperty("device").GetString()));
    }

    private async Task WaitForMembers(HttpClient http, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var cluster = await http.GetFromJsonAsync<JsonElement>("/api/cluster");
                var members = cluster.GetProperty("members").EnumerateArray().ToArray();
                if (members.Count(m => m.GetProperty("status").GetString() == "up") >= count &&
                    members.All(m => !m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker") || m.GetProperty("device").ValueKind == JsonValueKind.String))
                    return;
            }
            catch (HttpRequestException)
            {
                // The coordinator is still starting.
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{count} members did not come up:\n{string.Join("\n---\n", _nodes.Select(n => n.Output))}");
    }

    private async Task<JsonElement> WaitForEnd(HttpClient http, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            if (status.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled") return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} did not finish: {status}");
            await Task.Delay(500);
        }
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        Directory.Delete(_state, recursive: true);
    }
}
