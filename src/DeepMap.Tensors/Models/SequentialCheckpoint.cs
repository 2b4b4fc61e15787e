using System.Globalization;
using System.Text.Json;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.IO;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Tensors.Models;

public sealed partial class Sequential
{
    private const string SpecKey = "deepmap.model";
    private const string SeedKey = "deepmap.seed";
    private const string OptimizerKey = "deepmap.optimizer";
    private const string OptimizerStepsKey = "deepmap.optimizer_steps";
    private const string LossKey = "deepmap.loss";
    private const string MetricsKey = "deepmap.metrics";
    private const string EpochsKey = "deepmap.epochs_done";
    private const string DropoutKey = "deepmap.dropout_calls";

    /// <summary>
    /// Writes the weights, the optimizer's state and the model spec as one safetensors file: tensors named
    /// "layers.{i}.{weight}" and "optimizer.{slot}.layers.{i}.{weight}", everything else in the metadata.
    /// </summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var tensors = _parameters.Select(p => new NamedTensorData(p.Name, p.Value.Shape, p.Value.ToArray())).ToList();
        var metadata = new Dictionary<string, string>
        {
            [SpecKey] = ToSpec().ToJson(),
            [SeedKey] = Seed.ToString(CultureInfo.InvariantCulture),
            [EpochsKey] = EpochsDone.ToString(CultureInfo.InvariantCulture),
            [DropoutKey] = string.Join(",", _layers.OfType<Dropout>().Select(d => d.Calls.ToString(CultureInfo.InvariantCulture))),
        };
        if (_optimizer is not null)
        {
            tensors.AddRange(_optimizer.State(_parameters).Select(s => new NamedTensorData(s.Name, s.Value.Shape, s.Value.ToArray())));
            metadata[OptimizerKey] = JsonSerializer.Serialize(_optimizer.ToSpec(), ModelSpec.JsonOptions);
            metadata[OptimizerStepsKey] = _optimizer.Steps.ToString(CultureInfo.InvariantCulture);
            metadata[LossKey] = _loss.ToString();
            metadata[MetricsKey] = string.Join(",", _metrics);
        }
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>()) metadata[key] = value;
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Rebuilds a model saved by <see cref="Save"/>, compiled with its optimizer state when it had one.</summary>
    public static Sequential Load(string path, IBackend? backend = null) => Load(SafeTensors.Read(path), path, backend);

    /// <summary>The same from a file already read, for a caller that also wants its metadata (a trainer's cursor).</summary>
    public static Sequential Load(SafeTensorsContent content, string path, IBackend? backend = null)
    {
        if (!content.Metadata.TryGetValue(SpecKey, out var specJson))
            throw new InvalidDataException($"{path}: no model spec in the metadata ('{SpecKey}'); was it written by Sequential.Save?");
        var seed = content.Metadata.TryGetValue(SeedKey, out var s) ? ulong.Parse(s, CultureInfo.InvariantCulture) : 0;
        var model = FromSpec(ModelSpec.FromJson(specJson), seed, backend);
        model.LoadWeights(content, path);
        if (content.Metadata.TryGetValue(EpochsKey, out var epochs)) model.EpochsDone = int.Parse(epochs, CultureInfo.InvariantCulture);
        if (content.Metadata.TryGetValue(DropoutKey, out var calls) && calls.Length > 0)
        {
            var counts = calls.Split(',');
            var dropouts = model._layers.OfType<Dropout>().ToArray();
            for (var i = 0; i < Math.Min(counts.Length, dropouts.Length); i++) dropouts[i].Calls = ulong.Parse(counts[i], CultureInfo.InvariantCulture);
        }
        if (content.Metadata.TryGetValue(OptimizerKey, out var optimizerJson))
        {
            var spec = JsonSerializer.Deserialize<OptimizerSpec>(optimizerJson, ModelSpec.JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty optimizer spec");
            var optimizer = spec.Create();
            optimizer.Steps = long.Parse(content.Metadata[OptimizerStepsKey], CultureInfo.InvariantCulture);
            var metrics = content.Metadata.TryGetValue(MetricsKey, out var m) && m.Length > 0
                ? m.Split(',').Select(Enum.Parse<Metric>).ToArray()
                : [];
            model.Compile(optimizer, Enum.Parse<Loss>(content.Metadata[LossKey]), metrics);
            foreach (var (name, value) in optimizer.State(model._parameters))
                CopyInto(value, content.Get(name), path);
        }
        return model;
    }

    /// <summary>Replaces the weights with those of a safetensors file (shapes must match the model's).</summary>
    public void LoadWeights(string path) => LoadWeights(SafeTensors.Read(path), path);

    private void LoadWeights(SafeTensorsContent content, string path)
    {
        foreach (var p in _parameters) CopyInto(p.Value, content.Get(p.Name), path);
    }

    private static void CopyInto(Tensor target, NamedTensorData source, string path)
    {
        if (!source.Shape.AsSpan().SequenceEqual(target.Shape))
            throw new InvalidDataException($"{path}: tensor '{source.Name}' has shape {ShapeMath.Format(source.Shape)}, the model needs {ShapeMath.Format(target.Shape)}");
        target.Backend.Upload(source.Data, target.Storage);
    }
}
