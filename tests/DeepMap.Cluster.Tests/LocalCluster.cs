using Akka.Actor;
using Akka.Hosting;
using DeepMap.Coordinator;
using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Worker;
using DeepMap.Worker.Health;
using DeepMap.Worker.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepMap.Cluster.Tests;

/// <summary>
/// A real cluster in this process: a coordinator host and N worker hosts on loopback, each built with the same
/// actor extensions that the executables use.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];
    private readonly bool _ownsState;

    private LocalCluster(string stateDirectory, bool ownsState)
    {
        StateDirectory = stateDirectory;
        _ownsState = ownsState;
    }

    public string StateDirectory { get; }

    public IActorRef JobManager { get; private set; } = ActorRefs.Nobody;

    /// <param name="stateDirectory">The state directory of an earlier coordinator, whose jobs this one takes up; the
    /// caller owns it. Null: a new temporary one, deleted with the cluster.</param>
    public static async Task<LocalCluster> Start(int workers, IReadOnlyList<string> dataRoots, TimeSpan? stepTimeout = null, string? stateDirectory = null)
    {
        var cluster = new LocalCluster(stateDirectory ?? Directory.CreateTempSubdirectory("deepmap-cluster-").FullName, ownsState: stateDirectory is null);
        var port = Repository.FreePort();
        var seeds = new[] { $"127.0.0.1:{port}" };
        var settings = new CoordinatorSettings(new NodeSettings(seeds, "127.0.0.1", port, "cpu", 1), "http://127.0.0.1:0", dataRoots,
            cluster.StateDirectory, stepTimeout ?? TimeSpan.FromSeconds(20));
        var coordinator = await cluster.StartHost(akka => akka.AddCoordinatorActors(settings, new CpuBackend(1)));
        for (var w = 0; w < workers; w++)
            await cluster.StartHost(akka => akka.AddWorkerActors(new WorkerSettings(new NodeSettings(seeds, "127.0.0.1", 0, "cpu", 1), TimeSpan.FromSeconds(10), new HealthSettings(null)), new CpuBackend(1), new RejoinRequest()));
        cluster.JobManager = await coordinator.Services.GetRequiredService<IRequiredActor<JobManagerKey>>().GetAsync();
        await cluster.WaitForWorkers(workers);
        return cluster;
    }

    private async Task<IHost> StartHost(Action<AkkaConfigurationBuilder> configure)
    {
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .ConfigureServices(s => s.AddAkka(Protocol.Messaging.RegionNames.SystemName, configure))
            .Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    private async Task WaitForWorkers(int workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var devices = await JobManager.Ask<ClusterQueries.Devices>(new ClusterQueries.GetDevices(), TimeSpan.FromSeconds(5));
            if (devices.ByAddress.Count >= workers) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"{workers} workers did not join within 30 s");
    }

    public async Task<JobStatus> Run(string specText, TimeSpan timeout)
    {
        var reply = await JobManager.Ask<object>(new JobCommands.SubmitJob(specText), TimeSpan.FromSeconds(30));
        var id = reply switch
        {
            JobReplies.JobAccepted a => a.JobId,
            JobReplies.JobRefused r => throw new InvalidOperationException($"job refused: {r.Path}: {r.Error}"),
            _ => throw new InvalidOperationException($"unexpected reply {reply}"),
        };
        return await WaitForEnd(id, timeout);
    }

    /// <summary>Polls a job until it ends, and gives its final status.</summary>
    public async Task<JobStatus> WaitForEnd(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await JobManager.Ask<JobStatus>(new JobQueries.GetJob(id), TimeSpan.FromSeconds(10));
            if (status.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"job {id} still {status.State} at step {status.Step}/{status.Steps}: {status.Waiting}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }
        if (_ownsState) Directory.Delete(StateDirectory, recursive: true);
    }
}
