using System.CommandLine;
using DeepMap.Cli.Local;
using DeepMap.Cli.Output;

namespace DeepMap.Cli.Commands;

/// <summary>
/// `deepmap demo`: a local cluster with two workers trains Fashion-MNIST (or, without it, the Boston housing data
/// shipped in the repository), shows progress, prints the result and the model file, then stops the cluster.
/// </summary>
public static class DemoCommand
{
    public static Command Create(GlobalOptions globals, TextWriter output)
    {
        var keep = new Option<bool>("--keep") { Description = "leave the local cluster running afterwards" };
        var command = new Command("demo", "train a real model on a local cluster of two workers, with progress\nexample: deepmap demo") { keep, LocalCommands.Port };
        command.SetAction(async (parsed, cancellation) =>
        {
            // With --json the progress stays quiet and one object at the end says what happened.
            var json = parsed.GetValue(globals.Json);
            var log = json ? TextWriter.Null : output;
            var repository = Repository.Find();
            var fashion = File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
            var spec = Path.Combine(repository, "examples", "jobs", fashion ? "fashion-mnist-mlp.yaml" : "boston-mlp.yaml");
            if (!fashion)
                await log.WriteLineAsync("Fashion-MNIST is not installed (apt-get install -y dataset-fashion-mnist): training the Boston housing regression shipped in examples/data instead.");
            var manager = new LocalClusterManager(globals.Settings.Home);
            var api = parsed.GetValue(globals.Api)!;
            var started = false;
            if (manager.Load() is { } running) api = running.Api;
            else
            {
                await manager.Up(2, api, parsed.GetValue(LocalCommands.Port), log, cancellation);
                started = true;
            }
            try
            {
                using var client = new ApiClient(api, parsed.GetValue(globals.Token));
                await log.WriteLineAsync($"Submitting {Path.GetRelativePath(repository, spec)}");
                var id = (await client.Post("/api/jobs", await File.ReadAllTextAsync(spec, cancellation), cancellation)).GetProperty("id").GetString()!;
                var outcome = await JobWatcher.Watch(client, id, log, json: false, terminal: !Console.IsOutputRedirected && ReferenceEquals(log, Console.Out), cancellation);
                string? model = null;
                if (outcome == ExitCodes.Ok)
                {
                    model = Path.Combine(globals.Settings.Home, "models", $"{id}.safetensors");
                    Directory.CreateDirectory(Path.GetDirectoryName(model)!);
                    await File.WriteAllBytesAsync(model, await client.GetBytes($"/api/jobs/{id}/model", cancellation), cancellation);
                    await log.WriteLineAsync($"Model: {model}");
                    await log.WriteLineAsync($"Dashboard: {api}/ (while the cluster runs: deepmap demo --keep)");
                }
                if (json)
                    await output.WriteLineAsync(JsonOutput.Of(new { spec = Path.GetRelativePath(repository, spec), job = await client.Get($"/api/jobs/{id}", cancellation), model, dashboard = $"{api}/" }));
                return outcome;
            }
            finally
            {
                if (started && !parsed.GetValue(keep) && manager.Down()) await log.WriteLineAsync("Local cluster stopped.");
            }
        });
        return command;
    }
}
