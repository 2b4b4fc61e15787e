using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepMap.Bench;
using DeepMap.Bench.Cluster;
using DeepMap.Tensors.Backends.Cpu;

// dotnet run -c Release --project bench/DeepMap.Bench -- cpu [--seconds S] [--threads N] [--only a,b]
// Prints a human table and `RESULT <workload> <value> <unit>` lines that bench/compare.sh pairs with the PyTorch peer's.
// The cluster modes (`exchange`, `scaling`) are described in bench/DeepMap.Bench/Cluster/ClusterOptions.cs.

const string Usage = "usage: DeepMap.Bench cpu [--seconds S] [--threads N] [--only a,b] | exchange [...] | scaling [...]";

try
{
    return args.FirstOrDefault() switch
    {
        "exchange" => await ExchangeBench.Run(ClusterOptions.Parse(args)),
        "scaling" => await ScalingBench.Run(ClusterOptions.Parse(args)),
        ExchangePeers.AkkaServerMode => await ExchangePeers.RunAkkaServer(args),
        ExchangePeers.TcpServerMode => ExchangePeers.RunTcpServer(args),
        _ => Run(Options.Parse(args)),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"DeepMap.Bench: {e.Message} ({Usage})");
    return 2;
}

static int Run(Options options)
{
    using var backend = new CpuBackend(options.Threads);
    Console.WriteLine($"# DeepMap CPU bench: backend {backend.Name}, threads {backend.Threads}");
    Console.WriteLine($"# Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated}, processors {Environment.ProcessorCount}, {RuntimeInformation.FrameworkDescription}");
    Console.WriteLine($"# seconds per workload: {options.Seconds.ToString(CultureInfo.InvariantCulture)}");
    Console.WriteLine();
    Console.WriteLine($"{"workload",-12} {"value",14} {"unit",-10} {"median ms/iter",14} {"reps",6} {"iters",7} {"alloc B/step",14}");
    Console.WriteLine(new string('-', 83));

    var machine = new List<string>();
    foreach (var workload in options.Workloads)
    {
        var prepared = workload.Prepare(backend);
        var m = Timing.Run(prepared.Step, options.Seconds);
        var value = prepared.WorkPerStep / m.SecondsPerStep;
        var alloc = workload.Trains ? m.TotalBytesPerStep.ToString("F0", CultureInfo.InvariantCulture) : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{workload.Name,-12} {value,14:F2} {workload.Unit,-10} {m.SecondsPerStep * 1e3,14:F4} {m.Reps,6} {m.StepsPerRep,7} {alloc,14}"));
        machine.Add(string.Create(CultureInfo.InvariantCulture, $"RESULT {workload.Name} {value:F4} {workload.Unit}"));
        if (workload.Trains)
        {
            // The caller's thread alone, and every thread (the backend's workers too).
            machine.Add(string.Create(CultureInfo.InvariantCulture, $"INFO {workload.Name} alloc_bytes_per_step {m.ThreadBytesPerStep:F0}"));
            machine.Add(string.Create(CultureInfo.InvariantCulture, $"INFO {workload.Name} alloc_bytes_per_step_all_threads {m.TotalBytesPerStep:F0}"));
        }
    }
    Console.WriteLine();
    foreach (var line in machine) Console.WriteLine(line);
    return 0;
}
