using Akka.Actor;
using DeepMap.Protocol.Jobs;

namespace DeepMap.Cluster.Tests;

public sealed class JobLifecycleTests
{
    private static string[] DataRoots => [Path.Combine(Repository.Root, "examples", "data")];

    private static string Spec(string optimizer = "{type: adam, lr: 0.001}", int epochs = 2) => """
        name: lifecycle
        data: {format: csv, path: boston_housing.csv, target: MEDV}
        model: {input: [13], layers: [{dense: {units: 8, activation: relu}}, {dense: {units: 1}}]}
        loss: mse
        optimizer: OPTIMIZER
        epochs: EPOCHS
        batch_size: 16
        partitions: 2
        """.Replace("OPTIMIZER", optimizer).Replace("EPOCHS", epochs.ToString());

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
        var status = await cluster.Run(Spec("{type: sgd, lr: 1000000}", epochs: 20), TimeSpan.FromSeconds(60));
        Assert.Equal(JobState.Failed, status.State);
        Assert.Matches(@"^loss became (NaN|∞|-∞|Infinity|-Infinity) at epoch \d+, step \d+", status.Error);
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
