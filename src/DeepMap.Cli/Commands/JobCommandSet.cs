using System.CommandLine;
using DeepMap.Cli.Output;

namespace DeepMap.Cli.Commands;

/// <summary>`deepmap job submit | list | status | watch | cancel | export`.</summary>
public static class JobCommandSet
{
    public static Command Create(GlobalOptions globals, TextWriter output)
    {
        var file = new Argument<FileInfo>("file") { Description = "the job spec, YAML or JSON" };
        var watchOption = new Option<bool>("--watch") { Description = "follow the job to its end; the exit code is its outcome" };
        var submit = new Command("submit", "submit a job spec; prints the job id\nexample: deepmap job submit examples/jobs/fashion-mnist-mlp.yaml --watch") { file, watchOption };
        submit.SetAction(async (parsed, cancellation) =>
        {
            var spec = parsed.GetValue(file)!;
            if (!spec.Exists) throw new CliException($"{spec.FullName}: no such file", ExitCodes.BadInput);
            using var api = globals.Client(parsed);
            var created = await api.Post("/api/jobs", await File.ReadAllTextAsync(spec.FullName, cancellation), cancellation);
            var id = created.GetProperty("id").GetString()!;
            var json = parsed.GetValue(globals.Json);
            if (!parsed.GetValue(watchOption))
            {
                await output.WriteLineAsync(json ? created.GetRawText() : id);
                return ExitCodes.Ok;
            }
            if (!json) await output.WriteLineAsync($"job {id} submitted");
            return await JobWatcher.Watch(api, id, output, json, terminal: !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out), cancellation);
        });

        var list = new Command("list", "every job, newest last\nexample: deepmap job list --json");
        list.SetAction(async (parsed, cancellation) =>
        {
            using var api = globals.Client(parsed);
            var jobs = await api.Get("/api/jobs", cancellation);
            if (parsed.GetValue(globals.Json)) await output.WriteLineAsync(jobs.GetRawText());
            else foreach (var job in jobs.EnumerateArray()) await output.WriteLineAsync(JobView.Summary(job));
            return ExitCodes.Ok;
        });

        return new Command("job", "submit, watch and manage training jobs\nexample: deepmap job submit examples/jobs/boston-mlp.yaml --watch")
        {
            submit,
            list,
            WithId(globals, output, "status", "a job's state, progress and metrics\nexample: deepmap job status ID --json", async (api, id, parsed, c) =>
            {
                var job = await api.Get($"/api/jobs/{Uri.EscapeDataString(id)}", c);
                if (parsed.GetValue(globals.Json)) await output.WriteLineAsync(job.GetRawText());
                else
                {
                    await output.WriteLineAsync(JobView.Summary(job));
                    if (JobView.IsFinished(job)) await output.WriteLineAsync(JobView.Final(job));
                }
                return ExitCodes.Ok;
            }),
            WithId(globals, output, "watch", "follow a job to its end: a live progress line, then the final metrics\nexample: deepmap job watch ID", (api, id, parsed, c) =>
                JobWatcher.Watch(api, id, output, parsed.GetValue(globals.Json), terminal: !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out), c)),
            WithId(globals, output, "cancel", "cancel a queued or running job\nexample: deepmap job cancel ID", async (api, id, parsed, c) =>
            {
                var job = await api.Post($"/api/jobs/{Uri.EscapeDataString(id)}/cancel", null, c);
                await output.WriteLineAsync(parsed.GetValue(globals.Json) ? job.GetRawText() : $"cancel requested: {id}");
                return ExitCodes.Ok;
            }),
            Export(globals, output),
        };
    }

    private static Command WithId(GlobalOptions globals, TextWriter output, string name, string description, Func<ApiClient, string, ParseResult, CancellationToken, Task<int>> action)
    {
        var id = new Argument<string>("id") { Description = "the job id, as submit and list print it" };
        var command = new Command(name, description) { id };
        command.SetAction(async (parsed, cancellation) =>
        {
            using var api = globals.Client(parsed);
            return await action(api, parsed.GetValue(id)!, parsed, cancellation);
        });
        return command;
    }

    private static Command Export(GlobalOptions globals, TextWriter output)
    {
        var id = new Argument<string>("id") { Description = "the job id" };
        var file = new Option<FileInfo>("--output", "-o") { Description = "where to write the model (.safetensors)", Required = true };
        var command = new Command("export", "download a finished job's model: weights, optimizer state and model spec\nexample: deepmap job export ID -o model.safetensors") { id, file };
        command.SetAction(async (parsed, cancellation) =>
        {
            using var api = globals.Client(parsed);
            var target = parsed.GetValue(file)!;
            var bytes = await api.GetBytes($"/api/jobs/{Uri.EscapeDataString(parsed.GetValue(id)!)}/model", cancellation);
            if (target.Directory is { Exists: false } d) throw new CliException($"{d.FullName}: no such directory", ExitCodes.BadInput);
            await File.WriteAllBytesAsync(target.FullName, bytes, cancellation);
            await output.WriteLineAsync(parsed.GetValue(globals.Json) ? JsonOutput.Of(new { path = target.FullName, bytes = bytes.Length }) : $"{target.FullName} ({bytes.Length} bytes)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
