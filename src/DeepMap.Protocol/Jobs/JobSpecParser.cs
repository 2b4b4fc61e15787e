using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeepMap.Protocol.Jobs;

/// <summary>
/// Reads a job spec from YAML or JSON (snake_case keys). Strict: an unknown key, a wrong type or a value out of
/// range is a <see cref="JobSpecException"/> naming the field's path. Checks that need the data or the model's shapes
/// are <see cref="JobSpecValidator"/>'s.
/// </summary>
public static class JobSpecParser
{
    private static readonly Dictionary<string, Activation> Activations = new()
    {
        ["none"] = Activation.None, ["linear"] = Activation.None, ["relu"] = Activation.Relu, ["sigmoid"] = Activation.Sigmoid,
        ["tanh"] = Activation.Tanh, ["softmax"] = Activation.Softmax,
    };

    private static readonly Dictionary<string, Loss> Losses = new()
    {
        ["mse"] = Loss.MeanSquaredError, ["cross_entropy"] = Loss.CrossEntropy, ["binary_cross_entropy"] = Loss.BinaryCrossEntropy,
    };

    private static readonly Dictionary<string, Metric> Metrics = new() { ["mae"] = Metric.MeanAbsoluteError, ["accuracy"] = Metric.Accuracy };

    private static readonly Dictionary<string, DataFormat> Formats = new() { ["csv"] = DataFormat.Csv, ["idx"] = DataFormat.Idx };

    private static readonly Dictionary<string, Consistency> Consistencies = new() { ["sync"] = Consistency.Sync, ["async"] = Consistency.Async, ["bounded"] = Consistency.Bounded };

    private static readonly Dictionary<string, Compression> Compressions = new() { ["none"] = Compression.None, ["fp16"] = Compression.Fp16 };

    private static readonly Dictionary<string, Scaling> Scalings = new() { ["none"] = Scaling.None, ["standard"] = Scaling.Standard, ["unit"] = Scaling.Unit };

    private static readonly Dictionary<string, Padding> Paddings = new() { ["same"] = Padding.Same, ["valid"] = Padding.Valid };

    public static JobSpec Parse(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new JobSpecException("", $"not valid YAML or JSON at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count != 1) throw new JobSpecException("", $"expected one document; got {stream.Documents.Count}");
        var root = new SpecNode(stream.Documents[0].RootNode, "");
        root.Mapping("name", "seed", "data", "model", "loss", "optimizer", "metrics", "epochs", "batch_size", "partitions", "ps_shards", "checkpoint_every", "backup", "consistency", "staleness", "compression");

        var name = root["name"].Text();
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw root["name"].Error($"'{name}' must be 1 to 64 letters, digits, '-', '_' or '.'");
        var metrics = root["metrics"].IsMissing ? [] : root["metrics"].Items().Select(m => m.Choice(Metrics, required: true)).Distinct().ToArray();
        var partitions = root["partitions"].Int(1, min: 1, max: 4096);
        return new JobSpec(
            name,
            (ulong)root["seed"].Integer(0, min: 0),
            ParseData(root["data"]),
            ParseModel(root["model"]),
            root["loss"].Choice(Losses, required: true),
            ParseOptimizer(root["optimizer"]),
            metrics,
            root["epochs"].Int(1, min: 1, max: 1_000_000),
            root["batch_size"].Int(32, min: 1, max: 1 << 20),
            partitions,
            root["ps_shards"].Int(1, min: 1, max: 1024),
            root["checkpoint_every"].Int(100, min: 1),
            root["backup"].Int(0, min: 0, max: 4095),
            root["consistency"].Choice(Consistencies, Consistency.Sync),
            root["staleness"].Int(0, min: 0, max: 1_000_000),
            root["compression"].Choice(Compressions, Compression.None));
    }

    private static DataSpec ParseData(SpecNode data)
    {
        data.Mapping("format", "path", "target", "train_images", "train_labels", "test_images", "test_labels", "test_split", "validation_split", "scale");
        var format = data["format"].Choice(Formats, required: true);
        string? path = null, target = null, trainImages = null, trainLabels = null, testImages = null, testLabels = null;
        if (format == DataFormat.Csv)
        {
            path = data["path"].Text();
            target = data["target"].Text();
            foreach (var key in new[] { "train_images", "train_labels", "test_images", "test_labels" })
                if (!data[key].IsMissing) throw data[key].Error("is for idx data; csv data has one 'path' and a 'target' column");
        }
        else
        {
            trainImages = data["train_images"].Text();
            trainLabels = data["train_labels"].Text();
            testImages = data["test_images"].OptionalText();
            testLabels = data["test_labels"].OptionalText();
            if ((testImages is null) != (testLabels is null))
                throw data[testImages is null ? "test_images" : "test_labels"].Error("test_images and test_labels go together");
            foreach (var key in new[] { "path", "target" })
                if (!data[key].IsMissing) throw data[key].Error("is for csv data; idx data names train_images and train_labels");
        }
        var hasTestFiles = testImages is not null;
        if (hasTestFiles && !data["test_split"].IsMissing) throw data["test_split"].Error("is not used when test files are given");
        var testSplit = hasTestFiles ? 0 : data["test_split"].Number(0.2);
        if (!hasTestFiles && testSplit is <= 0 or >= 1) throw data["test_split"].Error($"must be between 0 and 1 (exclusive); got {testSplit}");
        var validationSplit = data["validation_split"].Number(0);
        if (validationSplit is < 0 or >= 1) throw data["validation_split"].Error($"must be in [0, 1); got {validationSplit}");
        return new DataSpec(format, path, target, trainImages, trainLabels, testImages, testLabels, testSplit, validationSplit,
            data["scale"].Choice(Scalings, Scaling.None));
    }

    private static ModelSpec ParseModel(SpecNode model)
    {
        model.Mapping("input", "layers");
        var input = model["input"].Items().Select(d => d.Int(min: 1, max: 1 << 24)).ToArray();
        if (input.Length == 0) throw model["input"].Error("needs at least one dimension");
        var items = model["layers"].Items();
        if (items.Count == 0) throw model["layers"].Error("needs at least one layer");
        return new ModelSpec(input, items.Select(ParseLayer).ToArray());
    }

    private static LayerSpec ParseLayer(SpecNode item)
    {
        var (type, s) = item.Tagged();
        switch (type)
        {
            case "dense":
                s.Mapping("units", "activation");
                return new DenseSpec(s["units"].Int(min: 1), s["activation"].Choice(Activations, Activation.None));
            case "conv2d":
                s.Mapping("filters", "kernel", "stride", "padding", "activation");
                return new Conv2DSpec(s["filters"].Int(min: 1), s["kernel"].Int(min: 1), s["stride"].Int(1, min: 1),
                    s["padding"].Choice(Paddings, Padding.Same), s["activation"].Choice(Activations, Activation.None));
            case "maxpool2d":
                s.Mapping("size");
                return new MaxPool2DSpec(s["size"].Int(2, min: 1));
            case "flatten":
                s.Mapping();
                return new FlattenSpec();
            case "dropout":
                s.Mapping("rate");
                var rate = s["rate"].Number();
                if (rate is < 0 or >= 1) throw s["rate"].Error($"must be in [0, 1); got {rate}");
                return new DropoutSpec(rate);
            case "simple_rnn":
                s.Mapping("units", "return_sequences");
                return new SimpleRnnSpec(s["units"].Int(min: 1), s["return_sequences"].Flag(false));
            case "lstm":
                s.Mapping("units", "return_sequences");
                return new LstmSpec(s["units"].Int(min: 1), s["return_sequences"].Flag(false));
            case "embedding":
                s.Mapping("vocab", "dim");
                return new EmbeddingSpec(s["vocab"].Int(min: 1), s["dim"].Int(min: 1));
            case "activation":
                s.Mapping("function");
                return new ActivationSpec(s["function"].Choice(Activations, required: true));
            default:
                throw item.Error($"unknown layer '{type}'; expected one of dense, conv2d, maxpool2d, flatten, dropout, simple_rnn, lstm, embedding, activation");
        }
    }

    private static OptimizerSpec ParseOptimizer(SpecNode node)
    {
        if (node.IsMissing) return new AdamSpec();
        var type = node["type"].Text();
        switch (type)
        {
            case "sgd":
                node.Mapping("type", "lr", "weight_decay");
                return new SgdSpec(LearningRate(node, 0.01), NonNegative(node["weight_decay"]));
            case "momentum":
                node.Mapping("type", "lr", "momentum", "nesterov");
                return new MomentumSpec(LearningRate(node, 0.01), Fraction(node["momentum"], 0.9), node["nesterov"].Flag(false));
            case "adam":
                node.Mapping("type", "lr", "beta1", "beta2", "eps", "weight_decay");
                var eps = node["eps"].Number(1e-7);
                if (eps <= 0) throw node["eps"].Error($"must be positive; got {eps}");
                return new AdamSpec(LearningRate(node, 0.001), Fraction(node["beta1"], 0.9), Fraction(node["beta2"], 0.999), eps, NonNegative(node["weight_decay"]));
            default:
                throw node["type"].Error($"'{type}' is not one of sgd, momentum, adam");
        }
    }

    private static double LearningRate(SpecNode node, double fallback)
    {
        var lr = node["lr"].Number(fallback);
        return lr > 0 ? lr : throw node["lr"].Error($"must be positive; got {lr}");
    }

    private static double Fraction(SpecNode node, double fallback)
    {
        var value = node.Number(fallback);
        return value is >= 0 and < 1 ? value : throw node.Error($"must be in [0, 1); got {value}");
    }

    private static double NonNegative(SpecNode node)
    {
        var value = node.Number(0);
        return value >= 0 ? value : throw node.Error($"must not be negative; got {value}");
    }
}
