using System.Globalization;

namespace DeepMap.Bench.Cluster;

/// <summary>
/// `exchange`: one float array of --mb MiB (16) from a second process into this one, the DeepMap way (Akka remoting
/// set up as the nodes are, WeightsChunk pieces of 1 MiB, timed until the array is assembled) and over a plain
/// loopback TCP socket; --warmup untimed rounds, then the median of --reps. Prints RESULT lines and
/// `RATIO exchange_16mb &lt;DeepMap MB/s ÷ TCP MB/s&gt;`.
/// </summary>
internal static class ExchangeBench
{
    public static async Task<int> Run(ClusterOptions options)
    {
        var mb = options.Int("mb", 16);
        var reps = options.Int("reps", 9);
        var warmup = options.Int("warmup", 5, min: 0);
        var floats = mb * 1024 * 1024 / 4;
        var bytes = 4.0 * floats;
        Console.WriteLine($"# exchange: {mb} MiB ({floats} floats) from a second process, {warmup} warm-up rounds, median of {reps}");

        double deepmap;
        await using (var exchange = await ChannelExchange.Start())
        {
            for (var i = 0; i < warmup; i++) await exchange.Round(floats, 0);
            var samples = new List<double>();
            for (var i = 0; i < reps; i++) samples.Add(await exchange.Round(floats, 0));
            deepmap = Stats.Median(samples);
            Report("DeepMap tensor data channel (AddDeepMapNode, GetWeights, WeightsChunk 1 MiB)", samples, bytes);
        }

        double tcp;
        using (var exchange = TcpExchange.Start())
        {
            for (var i = 0; i < warmup; i++) exchange.Round((int)bytes);
            var samples = new List<double>();
            for (var i = 0; i < reps; i++) samples.Add(exchange.Round((int)bytes));
            tcp = Stats.Median(samples);
            Report("plain loopback TCP socket", samples, bytes);
        }

        var name = $"exchange_{mb}mb";
        Console.WriteLine(Inv($"RESULT {name}_deepmap {bytes / deepmap / 1e6:F1} MB/s"));
        Console.WriteLine(Inv($"RESULT {name}_tcp {bytes / tcp / 1e6:F1} MB/s"));
        // MB/s ÷ MB/s for the same bytes: the TCP round's seconds over DeepMap's.
        Console.WriteLine(Inv($"RATIO {name} {tcp / deepmap:F3}"));
        return 0;
    }

    private static void Report(string what, List<double> seconds, double bytes)
    {
        var sorted = seconds.Order().ToArray();
        Console.WriteLine(Inv($"# {what}: median {Stats.Median(seconds) * 1e3:F2} ms = {bytes / Stats.Median(seconds) / 1e6:F1} MB/s (fastest {sorted[0] * 1e3:F2} ms, slowest {sorted[^1] * 1e3:F2} ms)"));
    }

    public static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
