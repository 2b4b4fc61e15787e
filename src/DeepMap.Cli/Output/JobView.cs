using System.Globalization;
using System.Text.Json;

namespace DeepMap.Cli.Output;

/// <summary>How a job's status reads in a terminal: one summary line, a progress line, the final result.</summary>
public static class JobView
{
    public static string State(JsonElement job) => job.GetProperty("state").GetString() ?? "?";

    public static bool IsFinished(JsonElement job) => State(job) is "succeeded" or "failed" or "cancelled";

    public static string Summary(JsonElement job) =>
        $"{job.GetProperty("id").GetString()}  {State(job),-9}  epoch {job.GetProperty("epoch").GetInt32()}/{job.GetProperty("epochs").GetInt32()}  " +
        $"step {job.GetProperty("step").GetInt64()}/{job.GetProperty("steps").GetInt64()}  loss {Number(job, "loss")}";

    /// <summary>epoch, step/steps with a bar, loss, the job's metric, samples/s, ETA.</summary>
    public static string Progress(JsonElement job, TimeSpan? eta = null)
    {
        var step = job.GetProperty("step").GetInt64();
        if (job.GetProperty("steps").GetInt64() == 0)
            return $"{State(job)}: starting" + (job.TryGetProperty("waiting", out var starting) && starting.GetString() is { } s ? $" ({s})" : "");
        var steps = job.GetProperty("steps").GetInt64();
        var done = (int)(20 * step / steps);
        var rate = job.GetProperty("samples_per_second").GetDouble();
        var metric = job.GetProperty("validation").EnumerateObject().FirstOrDefault(p => p.Name != "loss");
        var line = $"epoch {job.GetProperty("epoch").GetInt32()}/{job.GetProperty("epochs").GetInt32()} [{new string('#', done)}{new string('-', 20 - done)}] " +
                   $"step {step}/{steps}  loss {Number(job, "loss")}";
        if (metric.Value.ValueKind == JsonValueKind.Number) line += $"  val_{metric.Name} {metric.Value.GetDouble().ToString("F4", CultureInfo.InvariantCulture)}";
        line += $"  {rate.ToString("F0", CultureInfo.InvariantCulture)} samples/s";
        if (eta is { } left && !IsFinished(job)) line += $"  ETA {(int)left.TotalMinutes}:{left.Seconds:00}";
        if (job.TryGetProperty("waiting", out var waiting) && waiting.GetString() is { } w) line += $"  ({w})";
        return line;
    }

    public static string Final(JsonElement job)
    {
        var state = State(job);
        if (state != "succeeded")
            return $"{state}: {(job.TryGetProperty("error", out var e) ? e.GetString() : null) ?? "no reason given"}";
        var test = string.Join(", ", job.GetProperty("test").EnumerateObject().Select(p => $"test {p.Name} {Format(p.Value)}"));
        return $"succeeded: {test}; weights_sha256 {job.GetProperty("weights_sha256").GetString()}{Resumed(job)}{LeftOut(job)}";
    }

    /// <summary>"; left out of steps: NODE 459, NODE 478" for a job with backup partitions: where its stragglers were.</summary>
    private static string LeftOut(JsonElement job)
    {
        if (!job.TryGetProperty("node_left_out", out var leftOut) || !leftOut.EnumerateObject().Any()) return "";
        return $"; left out of steps: {string.Join(", ", leftOut.EnumerateObject().Select(n => $"{n.Name} {n.Value.GetInt64()}"))}";
    }

    /// <summary>A number to four places; NaN and infinities arrive as text ("NaN", "Infinity") and stay so.</summary>
    private static string Format(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("F4", CultureInfo.InvariantCulture) : value.GetString() ?? "-";

    /// <summary>"; resumed 1× from a checkpoint (30 steps computed again)" when a coordinator restart interrupted the job.</summary>
    private static string Resumed(JsonElement job)
    {
        if (!job.TryGetProperty("resumed", out var resumed) || resumed.GetArrayLength() == 0) return "";
        var redone = resumed.EnumerateArray().Sum(r => r.GetProperty("steps_redone").GetInt64());
        return $"; resumed {resumed.GetArrayLength()}× from a checkpoint ({redone} steps computed again)";
    }

    private static string Number(JsonElement job, string name) => job.TryGetProperty(name, out var v) ? Format(v) : "-";
}
