using System.Diagnostics;

namespace DeepMap.Bench;

/// <summary>What one workload measured: the median seconds per step and the managed allocation per step.</summary>
internal readonly record struct Measurement(double SecondsPerStep, int Reps, int StepsPerRep, double ThreadBytesPerStep, double TotalBytesPerStep);

/// <summary>Warm-up, then repetitions of a calibrated number of steps over a wall-clock budget; the median repetition wins.</summary>
internal static class Timing
{
    // As the PyTorch peer: aim for about seven repetitions in the budget and never fewer than three.
    private const int TargetReps = 7;
    private const int MinReps = 3;

    // Tiered JIT promotes a method after 30 calls and then recompiles it in the background (after a delay, and OSR
    // for long loops), so a shorter warm-up would time tier-0 code.
    private const int MinWarmupSteps = 30;
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <paramref name="warmupSteps"/> and <paramref name="warmupSeconds"/> lower the warm-up where a step is far slower
    /// than the JIT's tiering (the GPU check on ILGPU's CPU emulation); by default it is the one above.
    /// </summary>
    public static Measurement Run(Action step, double seconds, int warmupSteps = MinWarmupSteps, double? warmupSeconds = null)
    {
        var minWarmup = warmupSeconds is { } w ? TimeSpan.FromSeconds(w) : MinWarmup;
        var warmup = Stopwatch.StartNew();
        for (var n = 0; n < warmupSteps || warmup.Elapsed < minWarmup; n++) step();

        // Calibrate on warm code only: the warm-up's own average would include the slow tier-0 steps.
        var calibration = Stopwatch.StartNew();
        var calibrationSteps = 0;
        do
        {
            step();
            calibrationSteps++;
        } while (calibration.Elapsed.TotalSeconds < seconds / TargetReps / 2);
        var estimate = calibration.Elapsed.TotalSeconds / calibrationSteps;
        var stepsPerRep = (int)Math.Clamp(seconds / TargetReps / estimate, 1, int.MaxValue);

        // The warm-up's garbage should not be collected on the clock.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        // Sized ahead so that its growth is not counted as the step's allocation.
        var samples = new List<double>(1024);
        // Read outside the timed repetitions: the precise total stops every thread to flush its allocation context.
        var threadBytes = GC.GetAllocatedBytesForCurrentThread();
        var totalBytes = GC.GetTotalAllocatedBytes(precise: true);
        var budget = Stopwatch.StartNew();
        while (samples.Count < MinReps || budget.Elapsed.TotalSeconds < seconds)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < stepsPerRep; i++) step();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds / stepsPerRep);
        }
        threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBytes;
        totalBytes = GC.GetTotalAllocatedBytes(precise: true) - totalBytes;

        double steps = samples.Count * stepsPerRep;
        return new Measurement(Median(samples), samples.Count, stepsPerRep, threadBytes / steps, totalBytes / steps);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
