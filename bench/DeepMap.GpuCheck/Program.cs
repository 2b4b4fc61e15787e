using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DeepMap.Bench;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Backends.Ilgpu;
using DeepMap.Tensors.Backends.Reference;
using DeepMap.Tensors.Conformance;

// DEEPMAP_DEVICE=cuda|ilgpu-cpu DeepMap.GpuCheck [--small] [--seconds S]
// The GPU check that bench/gpu/run.sh runs: prints the device ILGPU sees, runs every kernel case of the conformance
// suite (src/DeepMap.Tensors.Conformance) against the float64 reference, then measures the device and prints
// `RESULT <name> <value> <unit>` lines as DeepMap.Bench does. --small (the default on ilgpu-cpu) uses small sizes.
// Exit codes: 0 passed, 1 a kernel disagreed with the reference, 2 usage, 3 no CUDA device.

const string Usage = "usage: DEEPMAP_DEVICE=cuda|ilgpu-cpu DeepMap.GpuCheck [--small] [--seconds S]";

var device = Environment.GetEnvironmentVariable("DEEPMAP_DEVICE") is { Length: > 0 } d ? d : "cuda";
var small = device != "cuda";
double? seconds = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--small": small = true; break;
        case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0: seconds = s; i++; break;
        default: Console.Error.WriteLine($"DeepMap.GpuCheck: unknown argument '{args[i]}' ({Usage})"); return 2;
    }
}

Console.WriteLine($"# DeepMap GPU check: DEEPMAP_DEVICE={device}{(small ? ", small sizes" : "")}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} processors");
IlgpuBackend backend;
switch (device)
{
    case "cuda":
        if (!IlgpuBackend.IsCudaAvailable())
        {
            Console.WriteLine("DEVICE none: ILGPU sees no CUDA device (no libcuda, or no GPU)");
            return 3;
        }
        backend = IlgpuBackend.CreateCuda();
        break;
    case "ilgpu-cpu":
        backend = IlgpuBackend.CreateCpuEmulation();
        break;
    default:
        Console.Error.WriteLine($"DeepMap.GpuCheck: DEEPMAP_DEVICE must be cuda or ilgpu-cpu, not '{device}' ({Usage})");
        return 2;
}

using (backend)
{
    Console.WriteLine($"DEVICE {backend.Name}");
    Console.WriteLine($"# {backend.DeviceDescription}");
    var clock = Stopwatch.StartNew();
    if (!Conformance.Run(backend, tanhAtol: device == "cuda" ? 1e-3 : 1e-5)) return 1;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO conformance_seconds {clock.Elapsed.TotalSeconds:F1}"));
    clock.Restart();
    new Measurements(backend, small, seconds ?? 1.5).Run();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO measurement_seconds {clock.Elapsed.TotalSeconds:F1}"));
}
return 0;

/// <summary>Every kernel case of the conformance suite, on the device, against the float64 reference.</summary>
internal static class Conformance
{
    /// <param name="tanhAtol">PTX's exp is an approximation, and tanh is built from it: the CUDA suite allows 1e-3.</param>
    public static bool Run(IlgpuBackend backend, double tanhAtol)
    {
        using var cpu = new CpuBackend(threads: 1);
        var checker = new KernelChecker(ReferenceBackend.Instance, cpu);
        int total = 0, failed = 0;
        foreach (var group in KernelCases.All(tanhAtol))
        {
            int cases = 0, bad = 0;
            foreach (var c in group.Cases)
            {
                cases++;
                string? mismatch;
                try
                {
                    mismatch = checker.Check(backend, c);
                }
                catch (Exception e)
                {
                    mismatch = $"{c.Name} on {backend.Name}: {e.GetType().Name}: {e.Message}";
                }
                if (mismatch is null) continue;
                bad++;
                Console.WriteLine($"MISMATCH {mismatch}");
            }
            Console.WriteLine($"CONFORMANCE {group.Name}: {cases - bad}/{cases} {(bad == 0 ? "ok" : "FAILED")}");
            total += cases;
            failed += bad;
        }
        Console.WriteLine(failed == 0
            ? $"CONFORMANCE PASS {total} kernel cases agree with the float64 reference"
            : $"CONFORMANCE FAIL {failed} of {total} kernel cases disagree with the float64 reference");
        return failed == 0;
    }
}

/// <summary>Launch overhead, bandwidth, SGEMM and the CPU benchmark's train steps, each timed by the CPU benchmark's <see cref="Timing"/>.</summary>
internal sealed class Measurements(IlgpuBackend backend, bool small, double seconds)
{
    private const int AsyncLaunches = 100;

    public void Run()
    {
        // On ILGPU's CPU emulation a launch wakes 256 OS threads (milliseconds), so --small times one step after one
        // warm-up step: the numbers only show that every path runs. On a device, the CPU benchmark's timing.
        double Time(Action step) => small ? OneStep(step) : Timing.Run(step, seconds, warmupSteps: 30, warmupSeconds: 0.5).SecondsPerStep;

        // Launch overhead: a one-element fill, waited for each time, and a hundred queued before one wait.
        var one = backend.Allocate(1);
        Result("launch_sync", Time(() => { backend.Fill(one, 1); backend.Synchronize(); }) * 1e6, "us");
        Result("launch_async", Time(() =>
        {
            for (var i = 0; i < AsyncLaunches; i++) backend.Fill(one, 1);
            backend.Synchronize();
        }) / AsyncLaunches * 1e6, "us");
        backend.Release(one);

        // Bandwidth: bytes read plus written per second; the driver's device-to-device copy is the yardstick.
        var n = small ? 1 << 16 : 1 << 26;
        int[] shape = [n];
        var a = backend.Allocate(n);
        var b = backend.Allocate(n);
        var y = backend.Allocate(n);
        backend.Fill(a, 1);
        backend.Fill(b, 2);
        Console.WriteLine($"INFO bandwidth_elements {n} ({n * 4.0 / (1 << 20):F0} MiB per buffer)");
        var copy = Bandwidth("device_copy_bw", 2, n, Time(() => { backend.CopyOnDevice(a, y, n); backend.Synchronize(); }));
        var add = Bandwidth("elementwise_add_bw", 3, n, Time(() => { backend.Binary(BinaryOp.Add, a, shape, b, shape, y, shape); backend.Synchronize(); }));
        Bandwidth("elementwise_relu_bw", 2, n, Time(() => { backend.Unary(UnaryOp.Relu, a, y, n); backend.Synchronize(); }));
        Bandwidth("elementwise_scale_bw", 3, n, Time(() => { backend.Scale(a, y, n, 0.5, 0.5); backend.Synchronize(); }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RATIO elementwise_add_vs_device_copy {add / copy:F4}"));
        foreach (var s in new[] { a, b, y }) backend.Release(s);

        foreach (var size in small ? new[] { 32, 64 } : [1024, 2048, 4096])
            Throughput($"sgemm_{size}", "GFLOP/s", Workloads.Sgemm(backend, size), Time);

        // The CPU benchmark's models and batches; on the CPU emulation, smaller batches of the same models.
        Throughput("mlp_step", "samples/s", Workloads.Mlp(backend, small ? 4 : 128), Time, transfers: true);
        Throughput("cnn_step", "samples/s", Workloads.Cnn(backend, small ? 1 : 64), Time, transfers: true);
    }

    private static double OneStep(Action step)
    {
        step();
        var start = Stopwatch.GetTimestamp();
        step();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// Training steps also report their host transfers: the step after a warm-up one should upload nothing and download
    /// only the loss and the fault record. On --small that step is also the timed one (a CNN step takes seconds there).
    /// </summary>
    private void Throughput(string name, string unit, Prepared prepared, Func<Action, double> time, bool transfers = false)
    {
        void Step()
        {
            prepared.Step();
            backend.Synchronize();
        }
        double? secondsPerStep = null;
        if (transfers)
        {
            Step();
            var (uploads, downloads) = (backend.Uploads, backend.Downloads);
            var start = Stopwatch.GetTimestamp();
            Step();
            if (small) secondsPerStep = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Console.WriteLine($"INFO {name} transfers_per_step uploads {backend.Uploads - uploads} downloads {backend.Downloads - downloads}");
        }
        Result(name, prepared.WorkPerStep / (secondsPerStep ?? time(Step)), unit);
    }

    /// <summary>GB/s of a step that reads or writes <paramref name="buffersTouched"/> whole buffers of <paramref name="elements"/> floats.</summary>
    private static double Bandwidth(string name, int buffersTouched, long elements, double secondsPerStep) =>
        Result(name, buffersTouched * elements * sizeof(float) / secondsPerStep / 1e9, "GB/s");

    private static double Result(string name, double value, string unit)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {value:F4} {unit}"));
        return value;
    }
}
