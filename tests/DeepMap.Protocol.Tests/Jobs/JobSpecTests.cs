using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.Tests.Jobs;

public sealed class JobSpecTests : IDisposable
{
    private static readonly string Repo = FindRepo();
    private readonly string _root = Directory.CreateTempSubdirectory("deepmap-data-").FullName;

    public JobSpecTests()
    {
        File.Copy(Path.Combine(Repo, "examples", "data", "boston_housing.csv"), Path.Combine(_root, "boston_housing.csv"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private JobSpecValidator Validator(long memory = 4L << 30) => new(new DataRoots([_root, "/usr/share/datasets"]), memory);

    private static string Boston => File.ReadAllText(Path.Combine(Repo, "examples", "jobs", "boston-mlp.yaml"));

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeepMap.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static JobSpecException Refused(Action action) => Assert.Throws<JobSpecException>(action);

    [Fact]
    public void The_example_job_parses_with_every_field()
    {
        var spec = JobSpecParser.Parse(Boston);
        Assert.Equal("boston-mlp", spec.Name);
        Assert.Equal(42UL, spec.Seed);
        Assert.Equal(new DataSpec(DataFormat.Csv, "boston_housing.csv", "MEDV", null, null, null, null, 0.2, 0.1, Scaling.Standard), spec.Data);
        Assert.Equal([13], spec.Model.Input);
        Assert.Equal<LayerSpec>([new DenseSpec(64, Activation.Relu), new DenseSpec(64, Activation.Relu), new DenseSpec(1)], spec.Model.Layers);
        Assert.Equal(Loss.MeanSquaredError, spec.Loss);
        Assert.Equal(new AdamSpec(0.001), spec.Optimizer);
        Assert.Equal([Metric.MeanAbsoluteError], spec.Metrics);
        Assert.Equal((10, 32, 4, 1, 100), (spec.Epochs, spec.BatchSize, spec.Partitions, spec.PsShards, spec.CheckpointEvery));
        var job = Validator().Validate(spec);
        Assert.Equal([1], job.OutputShape);
        Assert.Equal(13 * 64 + 64 + 64 * 64 + 64 + 64 + 1, job.Parameters);
        Assert.Equal(Path.Combine(_root, "boston_housing.csv"), job.Data.Primary);
    }

    [Fact]
    public void Json_is_accepted_too()
    {
        const string json = """
            {"name": "j", "data": {"format": "csv", "path": "boston_housing.csv", "target": "MEDV"},
             "model": {"input": [13], "layers": [{"dense": {"units": 8, "activation": "tanh"}}, {"dense": {"units": 1}}]},
             "loss": "mse", "optimizer": {"type": "momentum", "lr": 0.05, "nesterov": true}, "epochs": 2}
            """;
        var spec = JobSpecParser.Parse(json);
        Assert.Equal(new MomentumSpec(0.05, 0.9, true), spec.Optimizer);
        Assert.Equal(Compression.None, spec.Compression);
        Assert.Equal(Compression.Fp16, JobSpecParser.Parse(json.Replace("\"epochs\": 2", "\"epochs\": 2, \"compression\": \"fp16\"")).Compression);
        Assert.Equal(new DenseSpec(8, Activation.Tanh), spec.Model.Layers[0]);
        Validator().Validate(spec);
    }

    [Fact]
    public void The_fashion_mnist_example_validates_against_the_installed_dataset()
    {
        var spec = JobSpecParser.Parse(File.ReadAllText(Path.Combine(Repo, "examples", "jobs", "fashion-mnist-mlp.yaml")));
        var job = Validator().Validate(spec);
        Assert.Equal([10], job.OutputShape);
        Assert.EndsWith("t10k-labels-idx1-ubyte.gz", job.Data.TestLabels);
    }

    public static TheoryData<string> ExampleJobs => new(Directory.GetFiles(Path.Combine(Repo, "examples", "jobs"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(ExampleJobs))]
    public void Every_example_job_validates(string file)
    {
        var job = Validator().Validate(JobSpecParser.Parse(File.ReadAllText(Path.Combine(Repo, "examples", "jobs", file))));
        Assert.True(job.Parameters > 0);
    }

    public static TheoryData<string, string, string, string> ParseErrors => new()
    {
        { "    - dense: {units: 64, activation: relu}", "    - dense: {unit: 64, activation: relu}", "model.layers[0].dense.unit", "unknown key 'unit'" },
        { "epochs: 10", "epochs: ten", "epochs", "expected a whole number; got 'ten'" },
        { "epochs: 10", "epochs: 0", "epochs", "must be between 1 and" },
        { "    - dense: {units: 1}", "    - dense: {units: -1}", "model.layers[2].dense.units", "must be between 1 and" },
        { "    - dense: {units: 1}", "    - convolution: {filters: 3}", "model.layers[2]", "unknown layer 'convolution'" },
        { "loss: mse", "loss: hinge", "loss", "'hinge' is not one of mse, cross_entropy, binary_cross_entropy" },
        { "loss: mse", "", "loss", "is required" },
        { "optimizer: {type: adam, lr: 0.001}", "optimizer: {type: adam, lr: -1}", "optimizer.lr", "must be positive" },
        { "  validation_split: 0.1", "  validation_split: 1.5", "data.validation_split", "must be in [0, 1)" },
        { "  format: csv", "  format: parquet", "data.format", "'parquet' is not one of csv, idx" },
        { "metrics: [mae]", "metrics: [mae, f1]", "metrics[1]", "'f1' is not one of mae, accuracy" },
        { "name: boston-mlp", "name: boston mlp!", "name", "must be 1 to 64 letters" },
        { "checkpoint_every: 100", "checkpoint_every: 100\nextra: 1", "extra", "unknown key 'extra'" },
        { "  input: [13]", "  input: 13", "model.input", "expected a list" },
        { "checkpoint_every: 100", "checkpoint_every: 100\nbackup: -1", "backup", "must be between 0 and" },
        { "checkpoint_every: 100", "checkpoint_every: 100\nconsistency: eventual", "consistency", "'eventual' is not one of sync, async, bounded" },
        { "checkpoint_every: 100", "checkpoint_every: 100\ncompression: int8", "compression", "'int8' is not one of none, fp16" },
    };

    [Theory]
    [MemberData(nameof(ParseErrors))]
    public void A_malformed_field_is_refused_with_its_path(string original, string replacement, string path, string message)
    {
        Assert.Contains(original, Boston);
        var e = Refused(() => JobSpecParser.Parse(Boston.Replace(original, replacement)));
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Reason);
    }

    public static TheoryData<string, string, string, string> ValidationErrors => new()
    {
        { "    - dense: {units: 64, activation: relu}\n    - dense: {units: 1}", "    - dense: {units: 64, activation: relu}\n    - conv2d: {filters: 3, kernel: 3}", "model.layers[2]", "Conv2D expects inputs of rank 3" },
        { "loss: mse", "loss: cross_entropy", "loss", "at least 2 classes" },
        { "  path: boston_housing.csv", "  path: /etc/passwd", "data.path", "must be relative to a data root" },
        { "  path: boston_housing.csv", "  path: ../../etc/passwd", "data.path", "leaves the data roots" },
        { "  path: boston_housing.csv", "  path: housing.csv", "data.path", "no file 'housing.csv' under the data roots" },
        { "  target: MEDV", "  target: PRICE", "data.target", "no column 'PRICE'" },
        { "  input: [13]", "  input: [12]", "model.input", "has 13 feature columns" },
        { "  input: [13]", "  input: [262145]", "model.input", "a sample of [262145] is 262,145 values; samples travel to the workers whole, in pieces of at most 262,144 values" },
        { "batch_size: 32", "batch_size: 3", "batch_size", "cannot give each of 4 partitions a sample" },
        { "checkpoint_every: 100", "checkpoint_every: 100\nbackup: 4", "backup", "4 backup partitions of 4 would leave no partition to close a step; use at most 3" },
        { "checkpoint_every: 100", "checkpoint_every: 100\nbackup: 1\nconsistency: async", "backup", "backup partitions close synchronous steps" },
        { "checkpoint_every: 100", "checkpoint_every: 100\nstaleness: 2", "staleness", "staleness bounds consistency: bounded" },
    };

    [Theory]
    [MemberData(nameof(ValidationErrors))]
    public void A_job_that_cannot_run_is_refused_with_its_path(string original, string replacement, string path, string message)
    {
        Assert.Contains(original, Boston);
        var spec = JobSpecParser.Parse(Boston.Replace(original, replacement));
        var e = Refused(() => Validator().Validate(spec));
        Assert.Equal(path, e.Path);
        Assert.Contains(message, e.Reason);
    }

    [Fact]
    public void A_model_too_large_for_memory_is_refused_with_the_estimate()
    {
        var spec = JobSpecParser.Parse(Boston);
        var e = Refused(() => Validator(memory: 50_000).Validate(spec));
        Assert.Equal("model", e.Path);
        Assert.StartsWith("5,121 parameters need 80.02 KiB", e.Reason);
        Assert.Contains("4 copies", e.Reason);
    }

    [Fact]
    public void By_default_the_memory_limit_is_what_this_process_may_use()
    {
        // Some 10¹² parameters: more than any machine has.
        var spec = JobSpecParser.Parse(Boston.Replace("    - dense: {units: 64, activation: relu}\n    - dense: {units: 64, activation: relu}",
            "    - dense: {units: 1000000, activation: relu}\n    - dense: {units: 1000000, activation: relu}"));
        var available = JobSpecValidator.AvailableMemoryBytes;

        var e = Refused(() => new JobSpecValidator(new DataRoots([_root])).Validate(spec));

        Assert.Equal("model", e.Path);
        Assert.StartsWith("1,000,016,000,001 parameters need 14901.4 GiB", e.Reason);
        Assert.EndsWith($"over the {available / (double)(1L << 30):0.##} GiB limit", e.Reason);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, available);
    }

    [Fact]
    public void A_yaml_syntax_error_says_where()
    {
        var e = Refused(() => JobSpecParser.Parse("name: x\nmodel: {input: [1, 2\n"));
        Assert.Contains("line", e.Reason);
        Assert.Equal("", e.Path);
    }

    [Fact]
    public void Softmax_before_cross_entropy_is_refused_because_the_loss_takes_logits()
    {
        var spec = JobSpecParser.Parse(File.ReadAllText(Path.Combine(Repo, "examples", "jobs", "fashion-mnist-mlp.yaml"))
            .Replace("    - dense: {units: 10}", "    - dense: {units: 10, activation: softmax}"));
        var e = Refused(() => Validator().Validate(spec));
        Assert.Equal("model.layers[2].dense.activation", e.Path);
    }
}
