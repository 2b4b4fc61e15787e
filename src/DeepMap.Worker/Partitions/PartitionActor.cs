using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Event;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors;
using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;
using DeepMap.Worker.Weights;

namespace DeepMap.Worker.Partitions;

/// <summary>
/// Data partition k of a job, the sharded entity "{job}/{k}": it holds the partition's rows (fetched once from the
/// trainer, in pieces), and for each step request computes the gradient of its minibatch at the requested weights
/// and sends every parameter-server shard its slice on the tensor data channel. Everything it uses derives from the request, so wherever
/// Sharding places it, it computes the same bits.
/// </summary>
public sealed class PartitionActor : ReceiveActor
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IBackend _backend;
    private readonly TensorChannel _channel;
    private readonly IActorRef _weights;
    private readonly string _node;
    private readonly TimeSpan _straggle;
    private readonly DeviceTurns _device;
    private float[]? _features;
    private float[]? _targets;
    private Sequential? _model;
    private DataParallelPlan? _plan;
    private float[] _gradient = [];

    // Step requests waiting for their weights from the node's cache, by version (Latest for the asynchronous modes).
    private readonly Dictionary<long, Queue<PartitionCommands.ComputeGradient>> _awaiting = [];

    public PartitionActor(IBackend backend, DeviceTurns device, TensorChannel channel, IActorRef weights, TimeSpan straggle)
    {
        _device = device;
        _straggle = straggle;
        _backend = backend;
        _channel = channel;
        _weights = weights;
        _node = Cluster.Get(Context.System).SelfAddress.ToString();
        ReceiveAsync<PartitionCommands.ComputeGradient>(Request);
        ReceiveAsync<WeightCache.Weights>(Compute);
        Receive<WeightCache.WeightsGone>(m =>
        {
            if (TakeRequest(m.Version) is { } request)
                Context.ActorSelection(request.Setup.TrainerPath).Tell(new PartitionEvents.StepSkipped(m.JobId, request.Partition, request.Step, _node));
        });
        Receive<PartitionCommands.ReleasePartition>(m =>
        {
            _weights.Tell(new WeightCache.Forget(m.JobId));
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        });
    }

    private async Task Request(PartitionCommands.ComputeGradient m)
    {
        var setup = m.Setup;
        try
        {
            if (_features is null) await LoadData(setup, m.Partition);
            EnsureModel(setup);
            if (_straggle > TimeSpan.Zero) await Task.Delay(_straggle);
            // The weights come back as a message rather than being awaited, so the partition takes other requests
            // meanwhile: asked ahead for step t + 1, it may be asked for step t again (a slice of t was lost), and t + 1's
            // weights only exist once t is computed. A request whose weights never come is asked again by the trainer.
            var version = setup.LatestWeights ? ParameterServerCommands.GetWeights.Latest : m.Step;
            if (!_awaiting.TryGetValue(version, out var waiting)) _awaiting[version] = waiting = new Queue<PartitionCommands.ComputeGradient>();
            waiting.Enqueue(m);
            _weights.Tell(new WeightCache.GetWeights(setup, version));
        }
        catch (Exception e) when (e is AskTimeoutException or InvalidDataException or ArgumentException)
        {
            // The trainer asks again after its step timeout; a partition that cannot compute now must not die.
            _log.Warning("partition {0}/{1}, step {2}: {3}", setup.JobId, m.Partition, m.Step, e.Message);
        }
    }

    /// <summary>The oldest request waiting for weights of this version (the cache answers each request once).</summary>
    private PartitionCommands.ComputeGradient? TakeRequest(long version)
    {
        if (!_awaiting.TryGetValue(version, out var waiting)) return null;
        var request = waiting.Dequeue();
        if (waiting.Count == 0) _awaiting.Remove(version);
        return request;
    }

    private async Task Compute(WeightCache.Weights weights)
    {
        try
        {
            if (TakeRequest(weights.Version) is not { } m) return;
            var setup = m.Setup;
            var rows = _plan!.BatchRows(m.Partition, (int)(m.Step / _plan.StepsPerEpoch), (int)(m.Step % _plan.StepsPerEpoch));
            try
            {
                var (loss, metrics) = rows.Length == 0 ? (0, []) : await _device.Run(() => Gradient(weights.Values, rows, setup, m));
                SendSlices(setup, m, rows.Length, loss);
                Context.ActorSelection(setup.TrainerPath).Tell(new PartitionEvents.GradientSent(setup.JobId, m.Partition, m.Step, rows.Length, _node, metrics));
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                _log.Warning("partition {0}/{1}, step {2}: {3}", setup.JobId, m.Partition, m.Step, e.Message);
            }
        }
        finally
        {
            weights.Values.Release();
        }
    }

    private async Task LoadData(PartitionSetup setup, int partition)
    {
        var trainer = Context.ActorSelection(setup.TrainerPath);
        var first = await trainer.Ask<DataReplies.PartitionData>(new DataQueries.GetPartitionData(setup.JobId, partition, 0), AskTimeout);
        var chunks = new List<DataReplies.PartitionData> { first };
        for (var c = 1; c < first.Chunks; c++)
            chunks.Add(await trainer.Ask<DataReplies.PartitionData>(new DataQueries.GetPartitionData(setup.JobId, partition, c), AskTimeout));
        _features = chunks.SelectMany(c => c.Features).ToArray();
        _targets = chunks.SelectMany(c => c.Targets).ToArray();
        _log.Info("partition {0}/{1}: {2} rows cached on this node", setup.JobId, partition, chunks.Sum(c => c.Rows));
    }

    private void EnsureModel(PartitionSetup setup)
    {
        if (_model is not null) return;
        _model = Sequential.FromSpec(ModelSpec.FromJson(setup.ModelSpecJson), setup.Seed, _backend);
        // Only the loss matters here: the parameter-server shards own the optimizer.
        _model.Compile(new Sgd(), setup.Loss);
        _plan = new DataParallelPlan(setup.TrainRows, setup.Partitions, setup.GlobalBatch, setup.Seed);
        _gradient = new float[setup.ParameterCount];
    }

    private (double Loss, MetricSum[] Metrics) Gradient(WeightsAssembly weights, int[] rows, PartitionSetup setup, PartitionCommands.ComputeGradient m)
    {
        var model = _model!;
        weights.WriteTo(model.Parameters);
        model.RandomStream = _plan!.RandomStream(m.Step, m.Partition);
        double loss;
        // Rows of this partition are those with index ≡ k (mod P), stored in order: row i is local row i / P.
        var local = rows.Select(r => r / setup.Partitions).ToArray();
        var metrics = setup.Metrics.Select(metric => new MetricAccumulator(metric, setup.Loss)).ToArray();
        using (TensorScope.Open())
        {
            loss = model.ComputeGradients(
                Batches.Gather(_backend, _features!, setup.FeatureShape, local), Batches.Gather(_backend, _targets!, setup.TargetShape, local), metrics);
        }
        ParameterVector.ReadGradients(model.Parameters, _gradient);
        model.ZeroGrad();
        return (loss, [.. metrics.Select(a => new MetricSum(a.Metric, a.Sum, a.Count))]);
    }

    private void SendSlices(PartitionSetup setup, PartitionCommands.ComputeGradient m, int samples, double loss)
    {
        for (var s = 0; s < setup.Shards; s++)
        {
            var endpoint = setup.ShardEndpoints[s];
            if (samples == 0)
            {
                _channel.Send(endpoint, TensorRecipient.ParameterServers, new ParameterServerCommands.GradientSlice(setup.JobId, s, m.Step, m.Partition, 0, 0, 0, []));
                continue;
            }
            var slice = _gradient.AsSpan(setup.ShardOffsets[s], setup.ShardOffsets[s + 1] - setup.ShardOffsets[s]);
            for (var c = 0; c < Chunking.Count(slice.Length); c++)
                _channel.Send(endpoint, TensorRecipient.ParameterServers,
                    new ParameterServerCommands.GradientSlice(setup.JobId, s, m.Step, m.Partition, samples, loss, c, Chunking.Slice(slice, c)), setup.Compression);
        }
    }
}
