using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeepMap.Protocol.Jobs;
using DeepMap.Tensors;
using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Randomness;
using DeepMap.Tensors.Training;
using static DeepMap.Bench.Cluster.ExchangeBench;

namespace DeepMap.Bench.Cluster;

/// <summary>
/// `scaling`: weak scaling of real coordinator and worker processes on loopback, and the parts of one sync step.
/// <para>
/// For each worker count (--workers 1,2) a fresh coordinator and that many workers start from the build output, all
/// with DEEPMAP_THREADS=1. Each job of --jobs (bench/jobs/cluster-{mlp,cnn}.yaml) runs with --batch samples per worker
/// (global batch = batch × workers) and, by default, one partition per worker (--partitions N fixes the count
/// instead). After --warmup-seconds of steps, the job's step counter is read from GET /api/jobs/{id} at the start and
/// end of a --seconds window: samples/s = steps × global batch ÷ window; then the job is cancelled.
/// </para>
/// <para>
/// The step split: wall = window ÷ steps (measured in the cluster); compute = one partition's gradient at its batch
/// on one thread, as PartitionActor computes it (weights written into the model, forward, backward, gradients read out),
/// times the partitions the busiest worker hosts, plus the shard's sum and optimizer step, both timed in this process
/// on the same code; transfer = the step's tensor traffic for one worker — the weights pulled as WeightsChunk
/// pieces, then its partitions' gradients as GradientSlice pieces, until acknowledged — timed between two processes
/// on the nodes' tensor data channel with nothing else running; waiting = wall − compute − transfer: the step's control
/// messages (step request, GradientSent, ShardStepped), actor scheduling, and the processes' contention for the
/// cores. Compute and transfer are measured alone, so on a loaded machine they are lower bounds and waiting absorbs
/// the rest.
/// </para>
/// </summary>
internal static class ScalingBench
{
    private static readonly string Root = FindRoot();
    private static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private sealed record Job(string Name, string Yaml);

    private sealed record Window(string Job, int Workers, int Partitions, int GlobalBatch, long Steps, double Seconds, double[] CpuSeconds, long[] NodeSamples)
    {
        public double SamplesPerSecond => Steps * GlobalBatch / Seconds;

        public double WallMs => Seconds / Steps * 1e3;
    }

    public static async Task<int> Run(ClusterOptions options)
    {
        var workerCounts = options.Ints("workers", "1,2");
        var batch = options.Int("batch", 64);
        var fixedPartitions = options.Text("partitions", "per-worker") is var p && p == "per-worker" ? (int?)null
            : int.TryParse(p, out var n) && n >= 1 ? n : throw new UsageException($"--partitions takes per-worker or a whole number, got '{p}'");
        var seconds = options.Seconds("seconds", 20);
        var warmup = options.Seconds("warmup-seconds", 5);
        var reps = options.Int("reps", 21);
        var jobsDir = Path.GetFullPath(options.Text("jobs", Path.Combine(Root, "bench", "jobs")));
        var only = options.Text("only", "mlp,cnn").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var jobs = only.Select(name =>
        {
            var path = Path.Combine(jobsDir, $"cluster-{name}.yaml");
            return File.Exists(path) ? new Job(name, File.ReadAllText(path)) : throw new UsageException($"no job file {path}");
        }).ToList();
        int PartitionsFor(int workers) => fixedPartitions ?? workers;

        Console.WriteLine($"# scaling: workers {string.Join(",", workerCounts)}, batch {batch} per worker, partitions {(fixedPartitions?.ToString() ?? "one per worker")}, " +
                          $"window {seconds} s after {warmup} s of warm-up; nodes from src/*/bin/{Configuration}, DEEPMAP_THREADS=1");

        var windows = new List<Window>();
        foreach (var workers in workerCounts)
            foreach (var job in jobs)
            {
                // A fresh cluster per job: Sharding's least-shard allocation counts the shards of earlier jobs, which
                // stay allocated, so a second job's partitions could all land on one worker.
                using var cluster = await NodeCluster.Start(workers);
                var yaml = WithRunSettings(job.Yaml, batch * workers, PartitionsFor(workers));
                var window = await Measure(cluster, job.Name, yaml, workers, PartitionsFor(workers), batch * workers, warmup, seconds);
                windows.Add(window);
                Console.WriteLine(Inv($"# {job.Name}, {workers} worker(s), {window.Partitions} partition(s), global batch {window.GlobalBatch}: ") +
                                  Inv($"{window.Steps} steps in {window.Seconds:F2} s = {window.SamplesPerSecond:F0} samples/s, {window.WallMs:F2} ms/step; ") +
                                  $"CPU ms per step: {string.Join(", ", window.CpuSeconds.Select((c, i) => Inv($"{(i == 0 ? "coordinator" : $"worker {i}")} {c / window.Steps * 1e3:F2}")))}; " +
                                  $"samples per worker node in the window: {string.Join(", ", window.NodeSamples)}");
                if (window.NodeSamples.Length < workers || window.NodeSamples.Any(n => n == 0))
                    Console.WriteLine($"# WARNING: {job.Name} with {workers} workers: the partitions did not spread over every worker");
                Console.WriteLine(Inv($"RESULT cluster_{job.Name}_w{workers} {window.SamplesPerSecond:F1} samples/s"));
            }

        // The parts of a step, each measured alone, after the clusters are gone.
        var splits = new List<string>();
        await using (var exchange = await ChannelExchange.Start())
        {
            foreach (var w in windows)
            {
                var job = jobs.Single(j => j.Name == w.Job);
                var spec = JobSpecParser.Parse(WithRunSettings(job.Yaml, w.GlobalBatch, w.Partitions));
                var perWorker = (w.Partitions + w.Workers - 1) / w.Workers;
                var (gradientMs, applyMs, parameters) = Compute(spec, w.GlobalBatch / w.Partitions, w.Partitions);
                var transfer = new List<double>();
                // Tiered JIT promotes after 30 calls: warm the serializer and remoting paths as thousands of steps do.
                for (var i = 0; i < 40; i++) await exchange.Round(parameters, perWorker);
                for (var i = 0; i < reps; i++) transfer.Add(await exchange.Round(parameters, perWorker));
                var computeMs = gradientMs * perWorker + applyMs;
                var transferMs = Stats.Median(transfer) * 1e3;
                Console.WriteLine(Inv($"# {w.Job}, {w.Workers} worker(s): {parameters} parameters; gradient of {w.GlobalBatch / w.Partitions} samples {gradientMs:F2} ms × {perWorker} partition(s) per worker, ") +
                                  Inv($"shard sum + {spec.Optimizer.GetType().Name.Replace("Spec", "")} step {applyMs:F2} ms; weights + {perWorker} gradient(s) on the data channel {transferMs:F2} ms"));
                splits.Add(Inv($"SPLIT {w.Job} workers={w.Workers} wall_ms={w.WallMs:F2} compute_ms={computeMs:F2} transfer_ms={transferMs:F2} waiting_ms={w.WallMs - computeMs - transferMs:F2}"));
            }
        }
        Console.WriteLine();
        foreach (var line in splits) Console.WriteLine(line);

        var baseline = workerCounts.Min();
        foreach (var workers in workerCounts.Where(c => c > baseline))
            foreach (var job in jobs)
            {
                var one = windows.Single(w => w.Job == job.Name && w.Workers == baseline);
                var many = windows.Single(w => w.Job == job.Name && w.Workers == workers);
                var suffix = job.Name == "cnn" ? "" : $"_{job.Name}";
                var spec = JobSpecParser.Parse(WithRunSettings(job.Yaml, many.GlobalBatch, many.Partitions));
                Console.WriteLine(Inv($"CEILING weak_scaling_{workers}{suffix} {ComputeCeiling(spec, batch, workers):F3} (the same gradients on {workers} threads at once, no communication)"));
                Console.WriteLine(Inv($"RATIO weak_scaling_{workers}{suffix} {many.SamplesPerSecond / ((double)workers / baseline * one.SamplesPerSecond):F3}"));
            }
        return 0;
    }

    /// <summary>The job with this run's global batch and partition count (the files say 64 and 1: one worker's run).</summary>
    private static string WithRunSettings(string yaml, int globalBatch, int partitions)
    {
        yaml = Regex.Replace(yaml, @"^batch_size:.*$", $"batch_size: {globalBatch}", RegexOptions.Multiline);
        return Regex.Replace(yaml, @"^partitions:.*$", $"partitions: {partitions}", RegexOptions.Multiline);
    }

    private static async Task<Window> Measure(NodeCluster cluster, string name, string yaml, int workers, int partitions, int globalBatch, double warmup, double seconds)
    {
        var submitted = await cluster.Http.PostAsync("/api/jobs", new StringContent(yaml));
        var body = await submitted.Content.ReadAsStringAsync();
        if (!submitted.IsSuccessStatusCode) throw new InvalidOperationException($"{name}: the coordinator refused the job: {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        try
        {
            // Up to the first step: data loaded, partitions placed, their rows fetched.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while ((await cluster.Status(id)).Step < 1)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{name}: no step after 120 s\n{cluster.Tail(20)}");
                await Task.Delay(100);
            }
            await Task.Delay(TimeSpan.FromSeconds(warmup));
            var cpu0 = cluster.CpuSeconds();
            var start = Stopwatch.GetTimestamp();
            var first = await cluster.Status(id);
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var last = await cluster.Status(id);
            var nodeSamples = last.NodeSamples.Select(p => p.Value - first.NodeSamples.GetValueOrDefault(p.Key)).ToArray();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var cpu1 = cluster.CpuSeconds();
            if (last.State != "running") throw new InvalidOperationException($"{name}: the job is {last.State} ({last.Error})\n{cluster.Tail(20)}");
            return new Window(name, workers, partitions, globalBatch, last.Step - first.Step, elapsed, [.. cpu1.Zip(cpu0, (a, b) => a - b)], nodeSamples);
        }
        finally
        {
            await cluster.Http.PostAsync($"/api/jobs/{id}/cancel", null);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await cluster.Status(id)).State == "running" && DateTime.UtcNow < deadline) await Task.Delay(100);
        }
    }

    /// <summary>
    /// Milliseconds of one partition's gradient (as PartitionActor.Gradient) and of one shard step over every parameter
    /// (as ParameterServerShard.Apply: the partitions' gradients summed, then the optimizer), on one thread.
    /// </summary>
    private static (double GradientMs, double ApplyMs, int Parameters) Compute(JobSpec spec, int partitionBatch, int partitions)
    {
        var (gradientMs, count) = GradientMs(spec, partitionBatch);
        using var backend = new CpuBackend(1);
        var random = new SeededRandom(7);
        var gradient = new float[count];
        for (var i = 0; i < count; i++) gradient[i] = (float)random.NextDouble() - 0.5f;
        using var shardWeights = Tensor.FromArray(backend, gradient, count).Keep();
        using var sum = Tensor.Empty(backend, count).Keep();
        using var part = Tensor.Empty(backend, count).Keep();
        shardWeights.RequiresGrad = true;
        Parameter[] parameters = [new Parameter("shard.0", shardWeights)];
        var optimizer = spec.Optimizer.Create();
        var applyStep = Timing.Run(() =>
        {
            backend.Fill(sum.Storage, 0);
            for (var k = 0; k < partitions; k++)
            {
                backend.Upload(gradient, part.Storage);
                GradientSum.Accumulate(backend, part.Storage, sum.Storage, count, partitionBatch, partitionBatch * partitions);
            }
            ParameterVector.WriteGradients(parameters, sum);
            optimizer.Step(parameters);
        }, 1);
        shardWeights.ZeroGrad();
        return (gradientMs, applyStep.SecondsPerStep * 1e3, count);
    }

    /// <summary>One partition's gradient on one thread as PartitionActor computes it: weights written into the model, forward, backward, gradients read out.</summary>
    private static (double Ms, int Parameters) GradientMs(JobSpec spec, int partitionBatch)
    {
        using var backend = new CpuBackend(1);
        var model = Sequential.FromSpec(spec.Model, spec.Seed, backend);
        model.Compile(new Sgd(), spec.Loss);
        var count = ParameterVector.Length(model.Parameters);
        var weights = new float[count];
        ParameterVector.ReadValues(model.Parameters, weights);
        var gradient = new float[count];
        var random = new SeededRandom(7);
        var features = new float[partitionBatch * ShapeMath.Size(spec.Model.Input)];
        for (var i = 0; i < features.Length; i++) features[i] = (float)random.NextDouble();
        var targets = new float[partitionBatch];
        for (var i = 0; i < targets.Length; i++) targets[i] = random.NextInt(10);
        var rows = Enumerable.Range(0, partitionBatch).ToArray();
        var step = Timing.Run(() =>
        {
            ParameterVector.WriteValues(model.Parameters, weights);
            using (TensorScope.Open())
                model.ComputeGradients(Batches.Gather(backend, features, spec.Model.Input, rows), Batches.Gather(backend, targets, [], rows));
            ParameterVector.ReadGradients(model.Parameters, gradient);
            model.ZeroGrad();
        }, 2);
        return (step.SecondsPerStep * 1e3, count);
    }

    /// <summary>
    /// What this machine allows at best: the gradient computed on <paramref name="workers"/> threads at once with no
    /// communication and no coordinator, per thread against one thread alone — cores that share caches and memory
    /// bandwidth (or a host's hyperthreads) slow each other down before any message is sent.
    /// </summary>
    private static double ComputeCeiling(JobSpec spec, int partitionBatch, int workers)
    {
        var alone = GradientMs(spec, partitionBatch).Ms;
        var together = Enumerable.Range(0, workers)
            .Select(_ => Task.Factory.StartNew(() => GradientMs(spec, partitionBatch).Ms, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(together);
        return alone / together.Average(t => t.Result);
    }

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeepMap.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }

    private sealed record Status(string State, long Step, string? Error, Dictionary<string, long> NodeSamples);

    /// <summary>A coordinator and workers as real processes from the build output, configured by DEEPMAP_* variables.</summary>
    private sealed class NodeCluster : IDisposable
    {
        private readonly List<(Process Process, Queue<string> Lines)> _nodes = [];
        private readonly string _state;

        private NodeCluster(string api, string state)
        {
            Http = new HttpClient { BaseAddress = new Uri(api), Timeout = TimeSpan.FromSeconds(60) };
            _state = state;
        }

        public HttpClient Http { get; }

        public static async Task<NodeCluster> Start(int workers)
        {
            var remoting = ChannelExchange.FreePort();
            var cluster = new NodeCluster($"http://127.0.0.1:{ChannelExchange.FreePort()}", Directory.CreateTempSubdirectory("deepmap-bench-").FullName);
            cluster.StartNode("DeepMap.Coordinator", new()
            {
                ["DEEPMAP_PORT"] = remoting.ToString(), ["DEEPMAP_API"] = cluster.Http.BaseAddress!.ToString().TrimEnd('/'),
                ["DEEPMAP_STATE"] = cluster._state, ["DEEPMAP_DATA"] = "/usr/share/datasets", ["DEEPMAP_THREADS"] = "1",
            });
            for (var w = 0; w < workers; w++)
                cluster.StartNode("DeepMap.Worker", new() { ["DEEPMAP_SEEDS"] = $"127.0.0.1:{remoting}", ["DEEPMAP_THREADS"] = "1" });
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (true)
            {
                try
                {
                    var members = (await cluster.Http.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("members").EnumerateArray();
                    if (members.Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("device").ValueKind == JsonValueKind.String) >= workers
                        && await cluster.PartitionRegions() >= workers)
                        return cluster;
                }
                catch (HttpRequestException)
                {
                    // The coordinator is still starting.
                }
                if (DateTime.UtcNow > deadline)
                {
                    var tail = cluster.Tail(20);
                    cluster.Dispose();
                    throw new TimeoutException($"{workers} workers did not come up\n{tail}");
                }
                await Task.Delay(250);
            }
        }

        private void StartNode(string project, Dictionary<string, string> environment)
        {
            var dll = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
            if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built (bench/compare.sh cluster builds it)");
            var info = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DEEPMAP_", StringComparison.Ordinal)).ToArray()) info.Environment.Remove(key);
            foreach (var (key, value) in environment) info.Environment[key] = value;
            var process = Process.Start(info)!;
            var lines = new Queue<string>();
            void Keep(string? line)
            {
                if (line is null) return;
                lock (lines)
                {
                    lines.Enqueue($"{project}[{process.Id}]: {line}");
                    if (lines.Count > 200) lines.Dequeue();
                }
            }
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _nodes.Add((process, lines));
        }

        /// <summary>The partition regions the sharding coordinator knows: a worker's counts once it can be given shards.</summary>
        public async Task<int> PartitionRegions()
        {
            var stats = await Http.GetFromJsonAsync<JsonElement>("/api/cluster/sharding");
            return stats.GetProperty("regions").EnumerateArray().Count(r => r.GetProperty("region").GetString() == "partition");
        }

        public async Task<Status> Status(string id)
        {
            var status = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
            var nodes = status.TryGetProperty("node_samples", out var n) && n.ValueKind == JsonValueKind.Object
                ? n.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()) : [];
            return new Status(status.GetProperty("state").GetString()!, status.GetProperty("step").GetInt64(),
                status.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null, nodes);
        }

        /// <summary>CPU seconds (user + system) each node has used so far, coordinator first.</summary>
        public double[] CpuSeconds() => [.. _nodes.Select(n =>
        {
            n.Process.Refresh();
            return n.Process.TotalProcessorTime.TotalSeconds;
        })];

        public string Tail(int lines) => string.Join("\n", _nodes.SelectMany(n =>
        {
            lock (n.Lines) return n.Lines.TakeLast(lines).ToArray();
        }));

        public void Dispose()
        {
            foreach (var (process, _) in _nodes)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
                process.Dispose();
            }
            Http.Dispose();
            Directory.Delete(_state, recursive: true);
        }
    }
}
