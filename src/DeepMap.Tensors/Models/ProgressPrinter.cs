using System.Diagnostics;
using System.Globalization;

namespace DeepMap.Tensors.Models;

/// <summary>
/// Keras-style progress for <see cref="Sequential.Fit"/>: in a terminal a live line redrawn a few times a second, and
/// one line per epoch with every metric (validation included), the throughput and the time so far.
/// </summary>
public static class ProgressPrinter
{
    /// <summary>Prints to the console; the live line only when the output is a terminal.</summary>
    public static Action<FitProgress> ToConsole() => To(Console.Out, live: !Console.IsOutputRedirected);

    public static Action<FitProgress> To(TextWriter output, bool live)
    {
        var clock = Stopwatch.StartNew();
        var sinceRedraw = Stopwatch.StartNew();
        return p =>
        {
            if (p.EpochMetrics is { } metrics)
            {
                var values = string.Join("  ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}")));
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"Epoch {p.Epoch}/{p.Epochs}  {p.Step}/{p.StepsPerEpoch} steps  {values}  {p.SamplesPerSecond:F0} samples/s  [{clock.Elapsed.TotalSeconds:F1} s]");
                // ESC[K erases what is left of the live line.
                output.WriteLine(live ? "\r" + line + "\u001b[K" : line);
            }
            else if (live && sinceRedraw.ElapsedMilliseconds >= 200)
            {
                sinceRedraw.Restart();
                output.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\rEpoch {p.Epoch}/{p.Epochs}  {p.Step}/{p.StepsPerEpoch} steps  loss {p.Loss:F4}  {p.SamplesPerSecond:F0} samples/s   "));
            }
        };
    }
}
