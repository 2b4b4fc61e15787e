using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace DeepMap.Cli.Local;

/// <summary>
/// A real cluster on this machine: the coordinator and N worker executables of this checkout as background processes
/// on loopback, in their own session (a Ctrl-C in the terminal does not take them down), with logs and state under
/// the DeepMap home directory.
/// </summary>
public sealed class LocalClusterManager(string home)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private string StateFile => Path.Combine(home, "local.json");

    public LocalClusterState? Load()
    {
        if (!File.Exists(StateFile)) return null;
        var state = JsonSerializer.Deserialize<LocalClusterState>(File.ReadAllText(StateFile));
        return state is not null && IsAlive(state.CoordinatorPid) ? state : null;
    }

    public async Task<LocalClusterState> Up(int workers, string api, int port, TextWriter output, CancellationToken cancellation)
    {
        if (Load() is { } running) throw new CliException($"a local cluster is already running (API {running.Api}); run 'deepmap local down' first", ExitCodes.BadInput);
        if (workers < 1) throw new CliException($"--workers: {workers}; at least one worker is needed", ExitCodes.BadInput);
        var uri = new Uri(api);
        RequireFree(uri.Port, $"the API port {uri.Port}");
        RequireFree(port, $"the remoting port {port}");
        var repository = Repository.Find();
        var coordinator = Repository.Executable(repository, "DeepMap.Coordinator");
        var worker = Repository.Executable(repository, "DeepMap.Worker");
        var logs = Path.Combine(home, "logs");
        Directory.CreateDirectory(logs);
        var threads = Math.Max(1, Environment.ProcessorCount / workers);
        var coordinatorPid = Start(coordinator, Path.Combine(logs, "coordinator.log"), new Dictionary<string, string>
        {
            ["DEEPMAP_API"] = api, ["DEEPMAP_PORT"] = port.ToString(), ["DEEPMAP_HOST"] = "127.0.0.1",
            ["DEEPMAP_STATE"] = Path.Combine(home, "state"),
            ["DEEPMAP_DATA"] = $"{Path.Combine(repository, "examples", "data")}:/usr/share/datasets",
            ["DEEPMAP_THREADS"] = threads.ToString(),
        });
        var workerPids = Enumerable.Range(1, workers).Select(w => Start(worker, Path.Combine(logs, $"worker-{w}.log"), new Dictionary<string, string>
        {
            ["DEEPMAP_SEEDS"] = $"127.0.0.1:{port}", ["DEEPMAP_HOST"] = "127.0.0.1", ["DEEPMAP_THREADS"] = threads.ToString(),
        })).ToArray();
        var state = new LocalClusterState(api, port, coordinatorPid, workerPids, logs, DateTimeOffset.UtcNow);
        Directory.CreateDirectory(home);
        File.WriteAllText(StateFile, JsonSerializer.Serialize(state, Json));
        await output.WriteLineAsync($"Starting a coordinator and {workers} worker{(workers == 1 ? "" : "s")} (logs in {logs})…");
        await WaitForMembers(state, workers + 1, cancellation);
        return state;
    }

    /// <summary>Stops the local cluster; false when there was none.</summary>
    public bool Down()
    {
        if (!File.Exists(StateFile)) return false;
        var state = JsonSerializer.Deserialize<LocalClusterState>(File.ReadAllText(StateFile))!;
        // Workers first, so the coordinator sees them leave; then the coordinator.
        foreach (var pid in state.WorkerPids) Stop(pid);
        Stop(state.CoordinatorPid);
        File.Delete(StateFile);
        return true;
    }

    private static async Task WaitForMembers(LocalClusterState state, int count, CancellationToken cancellation)
    {
        using var api = new ApiClient(state.Api, null);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (!IsAlive(state.CoordinatorPid))
                throw new CliException($"the coordinator exited; see {Path.Combine(state.Logs, "coordinator.log")}", ExitCodes.Unreachable);
            try
            {
                var members = (await api.Get("/api/cluster", cancellation)).GetProperty("members").EnumerateArray().ToArray();
                var ready = members.Count(m => m.GetProperty("status").GetString() == "up" &&
                    (!m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "worker") || m.GetProperty("device").ValueKind == JsonValueKind.String));
                if (ready >= count) return;
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.Unreachable)
            {
                // Still starting.
            }
            await Task.Delay(500, cancellation);
        }
        throw new CliException($"the cluster did not come up within 90 s; see the logs in {state.Logs}", ExitCodes.Unreachable);
    }

    private static int Start(string dll, string log, Dictionary<string, string> environment)
    {
        var pidFile = Path.GetTempFileName();
        var info = new ProcessStartInfo("setsid", ["sh", "-c", $"echo $$ > '{pidFile}'; exec dotnet '{dll}' >> '{log}' 2>&1 < /dev/null"])
        {
            UseShellExecute = false,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DEEPMAP_", StringComparison.Ordinal)).ToArray()) info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var launcher = Process.Start(info)!;
        for (var i = 0; i < 100; i++)
        {
            if (File.ReadAllText(pidFile).Trim() is { Length: > 0 } text && int.TryParse(text, out var pid))
            {
                File.Delete(pidFile);
                return pid;
            }
            Thread.Sleep(50);
        }
        throw new CliException($"could not start {Path.GetFileName(dll)}", ExitCodes.Unreachable);
    }

    /// <summary>SIGTERM, so the node leaves the cluster and stops its actor system; one still running 15 s later is killed.</summary>
    private static void Stop(int pid)
    {
        if (!IsAlive(pid)) return;
        UnixSignal.Terminate(pid);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (IsAlive(pid) && DateTime.UtcNow < deadline) Thread.Sleep(100);
        if (IsAlive(pid)) Process.GetProcessById(pid).Kill();
    }

    /// <summary>Alive and still one of ours: a recycled pid of another program does not count.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("DeepMap.", StringComparison.Ordinal) && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z");
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void RequireFree(int port, string what)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
        catch (SocketException)
        {
            throw new CliException($"{what} is in use (another cluster? 'deepmap local down', or choose another with --api/--port)", ExitCodes.BadInput);
        }
    }
}
