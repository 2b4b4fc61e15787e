using System.Text.Json;
using DeepMap.Coordinator.Api;
using DeepMap.Coordinator.Jobs;
using DeepMap.Protocol.Jobs;
using Microsoft.AspNetCore.Http.Json;

namespace DeepMap.Cluster.Tests.Jobs;

/// <summary>A diverged job's NaN and infinite numbers in the status: the job store keeps them, the API writes them.</summary>
public sealed class JobStatusJsonTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("deepmap-store-").FullName;

    private static readonly JobStatus Diverged = new("job-9", "diverged", JobState.Failed, 1, 3, 7, 30, double.NaN,
        new Dictionary<string, double> { ["loss"] = double.NaN, ["mae"] = double.PositiveInfinity },
        new Dictionary<string, double> { ["loss"] = double.PositiveInfinity, ["mae"] = double.NaN },
        new Dictionary<string, double> { ["loss"] = double.NegativeInfinity },
        12.5, null, "loss became NaN at epoch 1, step 8; the last good checkpoint is kept", null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)
    {
        Curve = [new CurvePoint(7, 0.7, double.NaN, new Dictionary<string, double> { ["mae"] = double.NaN }) { Training = new Dictionary<string, double> { ["mae"] = double.NegativeInfinity } }],
    };

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public void The_job_store_saves_and_reads_back_NaN_and_infinite_metrics()
    {
        var store = new JobStore(_state);

        store.SaveStatus(Diverged);

        var back = Assert.Single(store.LoadAll());
        Assert.Equal(double.NaN, back.Loss);
        Assert.Equal(Diverged.Metrics, back.Metrics);
        Assert.Equal(Diverged.Validation, back.Validation);
        Assert.Equal(Diverged.Test, back.Test);
        var point = Assert.Single(back.Curve);
        Assert.Equal(double.NaN, point.Loss);
        Assert.Equal(Diverged.Curve[0].Validation, point.Validation);
        Assert.Equal(Diverged.Curve[0].Training, point.Training);
    }

    [Fact]
    public void The_api_writes_NaN_and_infinite_metrics_as_named_literals()
    {
        var options = new JsonOptions();
        JobsApi.ConfigureJson(options);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(new[] { Diverged }, options.SerializerOptions));

        var status = json.RootElement[0];
        Assert.Equal("NaN", status.GetProperty("loss").GetString());
        Assert.Equal("Infinity", status.GetProperty("validation").GetProperty("loss").GetString());
        Assert.Equal("-Infinity", status.GetProperty("test").GetProperty("loss").GetString());
        Assert.Equal("-Infinity", status.GetProperty("curve")[0].GetProperty("training").GetProperty("mae").GetString());
    }
}
