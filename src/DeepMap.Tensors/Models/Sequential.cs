using System.Collections;
using System.Diagnostics;
using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Tensors.Models;

/// <summary>
/// A stack of layers trained the Keras way: <c>new Sequential([13], seed: 42) { new Dense(64, Activation.Relu), … }</c>,
/// then <see cref="Compile"/>, <see cref="Fit"/>, <see cref="Evaluate"/>, <see cref="Predict"/>. Layers are built as
/// they are added, so shapes are checked at once and the weights depend only on the seed.
/// </summary>
public sealed partial class Sequential : IEnumerable<Layer>
{
    private readonly List<Layer> _layers = [];
    private readonly List<Parameter> _parameters = [];
    private Optimizer? _optimizer;
    private Loss _loss;
    private Metric[] _metrics = [];

    public Sequential(int[] inputShape, ulong seed = 0, IBackend? backend = null)
    {
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"input shape {ShapeMath.Format(inputShape)} must have positive dimensions (without the batch axis)");
        InputShape = (int[])inputShape.Clone();
        OutputShape = InputShape;
        Seed = seed;
        Backend = backend ?? DefaultBackend.Current;
    }

    public int[] InputShape { get; }

    public int[] OutputShape { get; private set; }

    public ulong Seed { get; }

    public IBackend Backend { get; }

    public IReadOnlyList<Layer> Layers => _layers;

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public long ParameterCount => _parameters.Sum(p => (long)p.Value.Size);

    public Optimizer? Optimizer => _optimizer;

    public Loss Loss => _loss;

    public IReadOnlyList<Metric> Metrics => _metrics;

    /// <summary>
    /// Where the dropout layers' mask sequence stands. Fit advances it one per step; distributed training sets it to a
    /// function of (step, partition) so any node draws the same masks.
    /// </summary>
    public ulong RandomStream
    {
        get => _layers.OfType<Dropout>().FirstOrDefault()?.Calls ?? 0;
        set
        {
            foreach (var d in _layers.OfType<Dropout>()) d.Calls = value;
        }
    }

    /// <summary>Epochs trained so far; the next epoch's shuffle derives from it.</summary>
    public int EpochsDone { get; set; }

    public void Add(Layer layer)
    {
        try
        {
            OutputShape = layer.Build(Backend, OutputShape, _layers.Count, Seed);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"layer {_layers.Count} ({layer.GetType().Name}): {e.Message}", e);
        }
        _layers.Add(layer);
        _parameters.AddRange(layer.Parameters);
    }

    public IEnumerator<Layer> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Compile(Optimizer optimizer, Loss loss, params Metric[] metrics)
    {
        _optimizer = optimizer;
        _loss = loss;
        _metrics = metrics;
    }

    public ModelSpec ToSpec() => new(InputShape, _layers.Select(l => l.ToSpec()).ToArray());

    public static Sequential FromSpec(ModelSpec spec, ulong seed = 0, IBackend? backend = null)
    {
        var model = new Sequential(spec.Input, seed, backend);
        foreach (var layer in spec.Layers) model.Add(layer.Create());
        return model;
    }

    /// <summary>Runs the layers on a batch [N, ...InputShape].</summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        if (!x.Shape.AsSpan(1).SequenceEqual(InputShape))
            throw new ArgumentException($"model expects inputs [N, {string.Join(", ", InputShape)}]; got {ShapeMath.Format(x.Shape)}");
        foreach (var layer in _layers) x = layer.Forward(x, training);
        return x;
    }

    /// <summary>
    /// Forward and backward on one batch, leaving the gradients in the parameters; returns the loss. The batch's
    /// predictions also go into <paramref name="metrics"/>, as <see cref="Fit"/> measures its training batches.
    /// </summary>
    public float ComputeGradients(Tensor x, Tensor y, IReadOnlyList<MetricAccumulator>? metrics = null)
    {
        RequireCompiled();
        using var scope = TensorScope.OpenRecycling();
        var prediction = Forward(x, training: true);
        var loss = LossFunctions.Compute(_loss, prediction, y);
        var value = loss.Item();
        if (metrics is { Count: > 0 })
        {
            var p = prediction.ToArray();
            var targets = y.ToArray();
            foreach (var a in metrics) a.Add(p, targets, x.Shape[0]);
        }
        loss.Backward();
        return value;
    }

    /// <summary>Applies the optimizer to the accumulated gradients and clears them.</summary>
    public void ApplyGradients()
    {
        RequireCompiled();
        _optimizer!.Step(_parameters);
        ZeroGrad();
    }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.Value.ZeroGrad();
    }

    /// <summary>One optimization step on one batch; returns the batch's loss before the update.</summary>
    public float TrainBatch(Tensor x, Tensor y)
    {
        var loss = ComputeGradients(x, y);
        ApplyGradients();
        return loss;
    }

    public History Fit(Tensor x, Tensor y, int epochs, int batchSize = 32, double validationSplit = 0, bool shuffle = true,
        Action<FitProgress>? onProgress = null, (Tensor X, Tensor Y)? validationData = null)
    {
        RequireCompiled();
        var data = HostDataset.From(x, y, InputShape);
        return Fit(data, epochs, batchSize, validationSplit, shuffle, onProgress,
            validationData is { } v ? HostDataset.From(v.X, v.Y, InputShape) : null);
    }

    internal History Fit(HostDataset data, int epochs, int batchSize, double validationSplit, bool shuffle, Action<FitProgress>? onProgress, HostDataset? validation)
    {
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be positive");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        if (validationSplit is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validation split must be in [0, 1)");
        var train = data;
        if (validationSplit > 0 && validation is null)
        {
            // As Keras does: the last fraction of the samples, taken before any shuffling.
            var validationRows = (int)Math.Round(data.Rows * validationSplit);
            train = data.Slice(0, data.Rows - validationRows);
            validation = data.Slice(data.Rows - validationRows, validationRows);
        }
        if (train.Rows == 0) throw new ArgumentException("no training samples left after the validation split");

        var history = new History();
        var steps = (train.Rows + batchSize - 1) / batchSize;
        using var batchX = new BatchBuffer(Backend, train.FeatureShape, batchSize);
        using var batchY = new BatchBuffer(Backend, train.TargetShape, batchSize);
        for (var e = 0; e < epochs; e++)
        {
            var epoch = EpochsDone;
            var order = Batches.Order(train.Rows, Seed, epoch, shuffle);
            double lossSum = 0;
            var clock = Stopwatch.StartNew();
            var metrics = new BatchMetrics(_metrics, _loss, batchSize, ShapeMath.Size(OutputShape), train.TargetLength);
            for (var s = 0; s < steps; s++)
            {
                var rows = order.AsSpan(s * batchSize, Math.Min(batchSize, train.Rows - s * batchSize));
                var xb = batchX.Fill(train.Features, train.FeatureLength, rows, train.Offset);
                var yb = batchY.Fill(train.Targets, train.TargetLength, rows, train.Offset);
                float loss;
                using (TensorScope.OpenRecycling())
                {
                    var prediction = Forward(xb, training: true);
                    var lossTensor = LossFunctions.Compute(_loss, prediction, yb);
                    loss = lossTensor.Item();
                    if (!float.IsFinite(loss)) throw new ArithmeticException($"loss became {loss} at epoch {epoch + 1}, step {s + 1}");
                    metrics.Add(prediction, train, rows);
                    lossTensor.Backward();
                }
                ApplyGradients();
                lossSum += loss * rows.Length;
                onProgress?.Invoke(new FitProgress(epoch + 1, EpochsDone - e + epochs, s + 1, steps, lossSum / Math.Min(train.Rows, (s + 1) * batchSize),
                    Math.Min(train.Rows, (s + 1) * batchSize) / clock.Elapsed.TotalSeconds, null));
            }
            EpochsDone++;
            var values = new Dictionary<string, double> { ["loss"] = lossSum / train.Rows };
            foreach (var a in metrics.Accumulators) values[a.Name] = a.Value;
            if (validation is not null && validation.Rows > 0)
            {
                var v = Evaluate(validation, Math.Max(batchSize, 256));
                values["val_loss"] = v.Loss;
                foreach (var (name, value) in v.Metrics) values["val_" + name] = value;
            }
            history.Add(values);
            onProgress?.Invoke(new FitProgress(epoch + 1, EpochsDone - e - 1 + epochs, steps, steps, values["loss"], train.Rows / clock.Elapsed.TotalSeconds, values));
        }
        return history;
    }

    public Evaluation Evaluate(Tensor x, Tensor y, int batchSize = 256)
    {
        RequireCompiled();
        return Evaluate(HostDataset.From(x, y, InputShape), batchSize);
    }

    internal Evaluation Evaluate(HostDataset data, int batchSize)
    {
        var metrics = new BatchMetrics(_metrics, _loss, batchSize, ShapeMath.Size(OutputShape), data.TargetLength);
        double lossSum = 0;
        using var batchX = new BatchBuffer(Backend, data.FeatureShape, batchSize);
        using var batchY = new BatchBuffer(Backend, data.TargetShape, batchSize);
        using var noGrad = GradMode.Disable();
        var all = Enumerable.Range(0, data.Rows).ToArray();
        for (var start = 0; start < data.Rows; start += batchSize)
        {
            var rows = all.AsSpan(start, Math.Min(batchSize, data.Rows - start));
            using var scope = TensorScope.OpenRecycling();
            var xb = batchX.Fill(data.Features, data.FeatureLength, rows, data.Offset);
            var yb = batchY.Fill(data.Targets, data.TargetLength, rows, data.Offset);
            var prediction = Forward(xb);
            lossSum += LossFunctions.Compute(_loss, prediction, yb).Item() * rows.Length;
            metrics.Add(prediction, data, rows);
        }
        return new Evaluation(lossSum / data.Rows, metrics.Accumulators.ToDictionary(a => a.Name, a => a.Value));
    }

    /// <summary>The model's outputs for every row of x, in batches, without recording gradients.</summary>
    public Tensor Predict(Tensor x, int batchSize = 256)
    {
        var features = HostDataset.FeaturesOf(x, InputShape);
        var rows = x.Shape[0];
        var featureLength = ShapeMath.Size(InputShape);
        var outputLength = ShapeMath.Size(OutputShape);
        var result = new float[rows * outputLength];
        using var batchX = new BatchBuffer(Backend, InputShape, batchSize);
        using var noGrad = GradMode.Disable();
        var all = Enumerable.Range(0, rows).ToArray();
        for (var start = 0; start < rows; start += batchSize)
        {
            var take = all.AsSpan(start, Math.Min(batchSize, rows - start));
            using var scope = TensorScope.OpenRecycling();
            var prediction = Forward(batchX.Fill(features, featureLength, take));
            Backend.Download(prediction.Storage, result.AsSpan(start * outputLength, take.Length * outputLength));
        }
        return Tensor.FromArray(Backend, result, [rows, .. OutputShape]);
    }

    private void RequireCompiled()
    {
        if (_optimizer is null) throw new InvalidOperationException("call Compile(optimizer, loss, metrics) before training or evaluating");
    }
}
