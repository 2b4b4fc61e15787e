using System.Text.Json;
using DeepMap.Cli.Output;

namespace DeepMap.Cli.Commands;

/// <summary>
/// Follows a job's server-sent events to the end: a live progress line in a terminal, plain lines (one per epoch)
/// otherwise. Returns the job's outcome as an exit code.
/// </summary>
public static class JobWatcher
{
    public static async Task<int> Watch(ApiClient api, string id, TextWriter output, bool json, bool terminal, CancellationToken cancellation)
    {
        JsonElement last = default;
        var lastEpoch = -1;
        (DateTime Time, long Step)? first = null;
        await foreach (var job in api.Events($"/api/jobs/{Uri.EscapeDataString(id)}/events", cancellation))
        {
            last = job;
            var step = job.GetProperty("step").GetInt64();
            if (first is null && step > 0) first = (DateTime.UtcNow, step);
            TimeSpan? eta = null;
            if (first is { } f && step > f.Step)
            {
                var perStep = (DateTime.UtcNow - f.Time) / (step - f.Step);
                eta = perStep * (job.GetProperty("steps").GetInt64() - step);
            }
            if (json)
            {
                await output.WriteLineAsync(job.GetRawText());
                continue;
            }
            if (terminal)
            {
                await output.WriteAsync("\r" + JobView.Progress(job, eta).PadRight(Console.IsOutputRedirected ? 0 : Math.Max(0, Console.WindowWidth - 1)));
            }
            else
            {
                var epoch = job.GetProperty("epoch").GetInt32();
                if (epoch != lastEpoch || JobView.IsFinished(job)) await output.WriteLineAsync(JobView.Progress(job, eta));
                lastEpoch = epoch;
            }
        }
        if (last.ValueKind != JsonValueKind.Object) throw new CliException($"the coordinator ended the event stream of {id} without a status", ExitCodes.Unreachable);
        if (terminal && !json) await output.WriteLineAsync();
        if (!json) await output.WriteLineAsync(JobView.Final(last));
        return JobView.State(last) == "succeeded" ? ExitCodes.Ok : ExitCodes.JobFailed;
    }
}
