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
public sealed class EndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_job_submitted_over_http_to_a_coordinator_and_two_workers_trains_and_its_model_downloads()
    {
        using var cluster = ProcessCluster.Start(workers: 2, "/usr/share/datasets");
        var http = cluster.Http;
        await cluster.WaitForWorkers(2);
        var job = FashionMnistJob.Spec("fashion-mnist-e2e", epochs: 1, batchSize: 128, partitions: 4);

        var refused = await http.PostAsync("/api/jobs", new StringContent(job.Replace("units: 128", "units: 0")));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("model.layers[0].dense.units", error.GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/jobs/no-such-job")).StatusCode);

        var created = await http.PostAsync("/api/jobs", new StringContent(job));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var status = await cluster.WaitForEnd(id, TimeSpan.FromMinutes(5));
        output.WriteLine(status.ToString());
        Assert.Equal("succeeded", status.GetProperty("state").GetString());
        var accuracy = status.GetProperty("test").GetProperty("accuracy").GetDouble();
        Assert.True(accuracy >= 0.82, $"test accuracy {accuracy}");

        var modelPath = Path.Combine(cluster.State, "downloaded.safetensors");
        await File.WriteAllBytesAsync(modelPath, await http.GetByteArrayAsync($"/api/jobs/{id}/model"));
        var backend = new CpuBackend(1);
        var model = Sequential.Load(modelPath, backend);
        var data = FashionMnist.Load(layout: ImageLayout.Flat, backend: backend);
        Assert.Equal(accuracy, model.Evaluate(data.TestImages, data.TestLabels)["accuracy"], 6);

        var members = (await http.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("members").EnumerateArray().ToArray();
        var workers = members.Where(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker")).ToArray();
        Assert.Equal(2, workers.Length);
        Assert.All(workers, w => Assert.StartsWith("cpu-simd", w.GetProperty("device").GetString()));
    }
}
