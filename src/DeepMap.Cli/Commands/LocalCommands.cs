using System.CommandLine;
using DeepMap.Cli.Local;

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
            var manager = new LocalClusterManager(globals.Settings.Home);
            var state = await manager.Up(parsed.GetValue(Workers), parsed.GetValue(globals.Api)!, parsed.GetValue(Port), output, cancellation);
            await output.WriteLineAsync($"Cluster up: coordinator and {state.WorkerPids.Length} worker(s); API {state.Api}");
            return ExitCodes.Ok;
        });
        var status = new Command("status", "the local cluster's processes and members");
        status.SetAction(async (parsed, cancellation) =>
        {
            var state = new LocalClusterManager(globals.Settings.Home).Load();
            if (state is null)
            {
                await output.WriteLineAsync("No local cluster is running (deepmap local up).");
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync($"Local cluster since {state.Started:u}: coordinator pid {state.CoordinatorPid}, worker pids {string.Join(", ", state.WorkerPids)}; logs in {state.Logs}");
            return await ClusterCommands.Create(globals, output).Subcommands.Single(c => c.Name == "show").Parse(["--api", state.Api]).InvokeAsync(cancellationToken: cancellation);
        });
        var down = new Command("down", "stop the local cluster (workers first, then the coordinator)");
        down.SetAction(async (_, _) =>
        {
            await new LocalClusterManager(globals.Settings.Home).Down(output);
            return ExitCodes.Ok;
        });
        return new Command("local", "a local cluster on this machine") { up, status, down };
    }
}
