using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.IO;
using DeepMap.Tensors.Models;

namespace DeepMap.Cluster.Tests;

public sealed class JobLifecycleTests
{
    private static string[] DataRoots => [Path.Combine(Repository.Root, "examples", "data")];

    private static string Spec(string optimizer = "{type: adam, lr: 0.001}", int epochs = 2, int checkpointEvery = 100) => """
        name: lifecycle
        data: {format: csv, path: boston_housing.csv, target: MEDV}
        model: {input: [13], layers: [{dense: {units: 8, activation: relu}}, {dense: {units: 1}}]}
        loss: mse
        optimizer: OPTIMIZER
        epochs: EPOCHS
        batch_size: 16
        partitions: 2
        checkpoint_every: CHECKPOINT
        """.Replace("OPTIMIZER", optimizer).Replace("EPOCHS", epochs.ToString()).Replace("CHECKPOINT", checkpointEvery.ToString());

    [Fact]
    public async Task With_no_worker_the_job_waits_and_says_for_which_partitions_then_cancels()
    {
        await using var cluster = await LocalCluster.Start(workers: 0, DataRoots, stepTimeout: TimeSpan.FromSeconds(1));
        var accepted = await cluster.JobManager.Ask<JobReplies.JobAccepted>(new JobCommands.SubmitJob(Spec()), TimeSpan.FromSeconds(10));
        JobStatus status;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(200);
            status = await cluster.JobManager.Ask<JobStatus>(new JobQueries.GetJob(accepted.JobId), TimeSpan.FromSeconds(5));
        }
        while (status.Waiting?.Contains("partitions") != true && DateTime.UtcNow < deadline);
        Assert.Equal(JobState.Running, status.State);
        Assert.Equal("step 0: waiting for partitions 0, 1 (asked again)", status.Waiting);

        await cluster.JobManager.Ask<JobStatus>(new JobCommands.CancelJob(accepted.JobId), TimeSpan.FromSeconds(5));
        deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(100);
            status = await cluster.JobManager.Ask<JobStatus>(new JobQueries.GetJob(accepted.JobId), TimeSpan.FromSeconds(5));
        }
        while (status.State == JobState.Running && DateTime.UtcNow < deadline);
        Assert.Equal(JobState.Cancelled, status.State);
    }

    [Fact]
    public async Task A_loss_that_diverges_fails_the_job_with_the_reason()
    {
        await using var cluster = await LocalCluster.Start(workers: 1, DataRoots);
        var status = await cluster.Run(Spec("{type: sgd, lr: 1000000}", epochs: 20, checkpointEvery: 1), TimeSpan.FromSeconds(60));
        Assert.Equal(JobState.Failed, status.State);
        var reason = Regex.Match(status.Error ?? "", @"^loss became (NaN|∞|-∞|Infinity|-Infinity) at epoch (\d+), step (\d+)");
        Assert.True(reason.Success, status.Error);
        var stepsPerEpoch = status.Steps / 20;
        var diverged = (long.Parse(reason.Groups[2].Value) - 1) * stepsPerEpoch + long.Parse(reason.Groups[3].Value) - 1;

        // The last good checkpoint is kept: from before the step whose loss diverged, with finite weights.
        var checkpoint = Path.Combine(cluster.StateDirectory, "jobs", status.Id, "checkpoint.safetensors");
        Assert.True(File.Exists(checkpoint), $"no checkpoint kept; the loss diverged at step {diverged}");
        var step = long.Parse(SafeTensors.Read(checkpoint).Metadata["deepmap.global_step"], CultureInfo.InvariantCulture);
        Assert.InRange(step, 1, diverged);
        var model = Sequential.Load(checkpoint, new CpuBackend(1));
        Assert.All(model.Parameters, p => Assert.All(p.Value.ToArray(), v => Assert.True(float.IsFinite(v), $"{p.Name} holds {v} in the checkpoint of step {step}")));
    }

    [Theory]
    [InlineData("consistency: sync")]
    [InlineData("backup: 1")]
    [InlineData("consistency: async")]
    [InlineData("consistency: bounded\nstaleness: 1")]
    public async Task Every_stepping_mode_reports_each_epochs_training_metric(string mode)
    {
        await using var cluster = await LocalCluster.Start(workers: 1, DataRoots);
        var status = await cluster.Run(Spec() + "\nmetrics: [mae]\n" + mode + "\n", TimeSpan.FromSeconds(60));
        Assert.True(status.State == JobState.Succeeded, $"job {status.State}: {status.Error}");
        var epochs = status.Curve.Where(p => p.Training is not null).Select(p => p.Training!["mae"]).ToArray();
        Assert.Equal(2, epochs.Length);
        Assert.All(epochs, mae => Assert.True(double.IsFinite(mae) && mae > 0, $"training MAE {mae}"));
        Assert.Equal(epochs[^1], status.Metrics["mae"]);
    }

    [Fact]
    public async Task A_refused_spec_names_the_field_and_disturbs_nothing()
    {
        await using var cluster = await LocalCluster.Start(workers: 1, DataRoots);
        var refused = await cluster.JobManager.Ask<JobReplies.JobRefused>(new JobCommands.SubmitJob(Spec().Replace("units: 8", "units: zero")), TimeSpan.FromSeconds(10));
        Assert.Equal("model.layers[0].dense.units", refused.Path);
        var status = await cluster.Run(Spec(), TimeSpan.FromSeconds(60));
        Assert.Equal(JobState.Succeeded, status.State);
    }
}
