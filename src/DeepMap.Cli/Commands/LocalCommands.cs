using System.CommandLine;
using DeepMap.Cli.Local;
using DeepMap.Cli.Output;

namespace DeepMap.Cli.Commands;

/// <summary>`deepmap local up [--workers N] | status | down`: a real cluster of this checkout's executables on loopback.</summary>
public static class LocalCommands
{
    public static Option<int> Workers { get; } = new("--workers") { Description = "worker processes to start", DefaultValueFactory = _ => 2 };

    public static Option<int> Port { get; } = new("--port") { Description = "the coordinator's remoting port", DefaultValueFactory = _ => 4053 };

    public static Command Create(GlobalOptions globals, TextWriter output)
    {
        var up = new Command("up", "start a coordinator and N workers in the background (logs and state under .deepmap/)\nexample: deepmap local up --workers 2") { Workers, Port };
        up.SetAction(async (parsed, cancellation) =>
        {
            var json = parsed.GetValue(globals.Json);
            var manager = new LocalClusterManager(globals.Settings.Home);
            var state = await manager.Up(parsed.GetValue(Workers), parsed.GetValue(globals.Api)!, parsed.GetValue(Port), json ? TextWriter.Null : output, cancellation);
            await output.WriteLineAsync(json ? JsonOutput.Of(state) : $"Cluster up: coordinator and {state.WorkerPids.Length} worker(s); API {state.Api}");
            return ExitCodes.Ok;
        });
        var status = new Command("status", "the local cluster's processes, then its members as `cluster show` prints them\nexample: deepmap local status");
        status.SetAction(async (parsed, cancellation) =>
        {
            var json = parsed.GetValue(globals.Json);
            var state = new LocalClusterManager(globals.Settings.Home).Load();
            if (state is null)
            {
                await output.WriteLineAsync(json ? JsonOutput.Of(new { running = false }) : "No local cluster is running (deepmap local up).");
                return ExitCodes.Ok;
            }
            // The local cluster's own API, wherever --api points; its nodes run without a token (up clears DEEPMAP_*).
            using var api = new ApiClient(state.Api, null);
            var cluster = await api.Get("/api/cluster", cancellation);
            if (json)
            {
                await output.WriteLineAsync(JsonOutput.Of(new { running = true, local = state, cluster }));
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync($"Local cluster since {state.Started:u}: coordinator pid {state.CoordinatorPid}, worker pids {string.Join(", ", state.WorkerPids)}; logs in {state.Logs}");
            await ClusterCommands.PrintMembers(cluster, output);
            return ExitCodes.Ok;
        });
        var down = new Command("down", "stop the local cluster (workers first, then the coordinator)\nexample: deepmap local down");
        down.SetAction(async (parsed, _) =>
        {
            var stopped = new LocalClusterManager(globals.Settings.Home).Down();
            await output.WriteLineAsync(parsed.GetValue(globals.Json) ? JsonOutput.Of(new { stopped }) : stopped ? "Local cluster stopped." : "No local cluster is running.");
            return ExitCodes.Ok;
        });
        return new Command("local", "a local cluster on this machine\nexample: deepmap local up --workers 1") { up, status, down };
    }
}
