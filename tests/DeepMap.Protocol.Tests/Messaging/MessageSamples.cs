using DeepMap.Protocol.Cluster;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using DeepMap.Protocol.Transport;
using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.Tests.Messaging;

/// <summary>
/// One instance of every protocol message, every field set to a value other than its default, so a field the
/// serializer drops shows up as a difference. A new message type without a sample here fails
/// <see cref="ProtocolSerializerRoundTripTests.EveryProtocolMessageTypeHasARoundTripSample"/>.
/// </summary>
internal static class MessageSamples
{
    /// <summary>Floats whose bits a text format or a lossy copy would change: NaNs with payloads, -0, subnormals, extremes.</summary>
    public static float[] Awkward() =>
    [
        float.NaN,
        -0f,
        0f,
        float.Epsilon,
        -float.Epsilon,
        1e38f,
        -1e38f,
        float.MaxValue,
        float.MinValue,
        float.PositiveInfinity,
        float.NegativeInfinity,
        BitConverter.Int32BitsToSingle(0x7FC0_0001), // quiet NaN with a payload
        BitConverter.Int32BitsToSingle(0x7F80_0001), // signalling NaN
        BitConverter.Int32BitsToSingle(unchecked((int)0xFFFF_FFFF)), // negative NaN, every payload bit set
        BitConverter.Int32BitsToSingle(0x007F_FFFF), // largest subnormal
        BitConverter.Int32BitsToSingle(0x0080_0000), // smallest normal
        0.1f,
        1f / 3f,
        -123456.79f,
    ];

    /// <summary>Text that needs escaping in JSON: quotes, control characters, non-ASCII, a surrogate pair.</summary>
    public const string AwkwardText = "tâche \"7\" \\ \n\t\0 ✓ 🚀 <script>&amp;</script>";

    public static readonly PartitionSetup Setup = new(
        JobId: "job-7",
        ModelSpecJson: "{\"layers\":[{\"dense\":{\"units\":8,\"activation\":\"relu\"}}]}",
        Loss: Loss.CrossEntropy,
        Metrics: [Metric.Accuracy, Metric.MeanAbsoluteError],
        Seed: ulong.MaxValue - 12345,
        Partitions: 4,
        GlobalBatch: 256,
        TrainRows: 60_000,
        FeatureShape: [28, 28, 1],
        TargetShape: [10],
        ShardOffsets: [0, 1000, 2500, 4097],
        TrainerPath: "akka.tcp://deepmap@10.0.0.1:4053/user/job-manager/job-7",
        ShardEndpoints: ["10.0.0.1:40001", "10.0.0.1:40001", "[fd00::1]:40002"],
        Compression: WireEncoding.Float16,
        LatestWeights: true);

    private static readonly JobStatus Running = new(
        Id: "job-7",
        Name: AwkwardText,
        State: JobState.Running,
        Epoch: 3,
        Epochs: 10,
        Step: 1234,
        Steps: long.MaxValue,
        Loss: 0.125,
        Metrics: new Dictionary<string, double> { ["accuracy"] = 0.875, ["f1"] = 1e-300 },
        Validation: new Dictionary<string, double>(),
        Test: new Dictionary<string, double> { ["loss"] = -0.0, ["accuracy"] = double.Epsilon },
        SamplesPerSecond: 12345.678,
        WeightsSha256: null,
        Error: null,
        Waiting: "partition 3",
        Submitted: new DateTimeOffset(2025, 3, 4, 5, 6, 7, 891, TimeSpan.FromHours(5.5)).AddTicks(1234),
        Finished: null)
    {
        SecondsPerStep = 0.0375,
        NodeLeftOut = new Dictionary<string, long> { ["akka.tcp://deepmap@10.0.0.2:4053"] = 17 },
        Resumed = [new ResumePoint(new DateTimeOffset(2025, 3, 4, 6, 0, 0, TimeSpan.Zero), 1200, 34)],
        Curve =
        [
            new CurvePoint(12, 0.25, 2.5, null),
            new CurvePoint(1200, 3, 0.5, new Dictionary<string, double> { ["accuracy"] = 0.75 }) { Training = new Dictionary<string, double> { ["accuracy"] = 0.8125 } },
        ],
    };

    private static readonly JobStatus Failed = new(
        Id: "job-8",
        Name: "mnist",
        State: JobState.Failed,
        Epoch: 0,
        Epochs: 1,
        Step: 0,
        Steps: 1,
        Loss: null,
        Metrics: new Dictionary<string, double>(),
        Validation: new Dictionary<string, double> { ["loss"] = double.MaxValue },
        Test: new Dictionary<string, double>(),
        SamplesPerSecond: 0,
        WeightsSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        Error: "out of memory",
        Waiting: null,
        Submitted: DateTimeOffset.UnixEpoch,
        Finished: new DateTimeOffset(2030, 12, 31, 23, 59, 59, TimeSpan.FromHours(-8)));

    public static IReadOnlyList<IDeepMapMessage> All { get; } =
    [
        // Jobs
        new JobCommands.SubmitJob(AwkwardText),
        new JobCommands.CancelJob("job-7"),
        new JobQueries.GetJob("job-7"),
        new JobQueries.ListJobs(),
        new JobQueries.GetModel("job-7"),
        new JobReplies.JobAccepted("job-7"),
        new JobReplies.JobRefused("epochs: must be at least 1", "$.training.epochs"),
        new JobReplies.JobNotFound("job-404"),
        new JobReplies.JobList([Running, Failed]),
        new JobReplies.ModelFile("job-7", "/var/lib/deepmap/models/job-7.dmw"),

        // Training
        new PartitionCommands.ComputeGradient(Setup, Partition: 3, Step: long.MaxValue - 1),
        new PartitionCommands.ReleasePartition("job-7", 3),
        new PartitionEvents.GradientSent("job-7", 3, 9_000_000_000L, 64, "akka.tcp://deepmap@10.0.0.2:4053",
            [new MetricSum(Metric.Accuracy, 57, 64), new MetricSum(Metric.MeanAbsoluteError, double.NaN, 640)]),
        new DataQueries.GetPartitionData("job-7", 3, 5),
        new DataReplies.PartitionData("job-7", 3, 5, 9, 1280, 2, Features: Awkward(), Targets: [1f, -1f, 0.5f]),

        // Parameter server
        new ParameterServerCommands.InitializeShard("job-7", 2, 1597, 4, "{\"adam\":{\"lr\":0.001}}", "akka.tcp://deepmap@10.0.0.1:4053/user/t", 300, 299, 2, 3, ParameterServerStepping.EachContribution, 1, Awkward()),
        new ParameterServerCommands.GradientSlice("job-7", 2, 41, 3, 64, 2.5, 0, Awkward()),
        new ParameterServerCommands.GetWeights("job-7", 2, 42, "10.0.0.2:40003", WireEncoding.Float16),
        new ParameterServerCommands.GetState("job-7", 2, 42),
        new ParameterServerCommands.StopShard("job-7", 2),
        new ParameterServerCommands.CloseStep("job-7", 2, 41, [0, 2, 3], [new ParameterServerCommands.LatePart(1, 40), new ParameterServerCommands.LatePart(1, 38)]),
        new PartitionEvents.StepSkipped("job-7", 1, 40, "akka.tcp://deepmap@10.0.0.2:4053"),
        new ParameterServerReplies.ShardReady("job-7", 2, "10.0.0.1:40001"),
        new ParameterServerReplies.ShardStepped("job-7", 2, 41, 160.25, 256),
        new ParameterServerReplies.WeightsChunk("job-7", 2, 42, 3, Awkward()),
        new ParameterServerReplies.WeightsUnavailable("job-7", 2, 40, 42),
        new ParameterServerReplies.StateChunk("job-7", 2, 42, 43, 1, 3, 0, Awkward()),

        // Cluster
        new WorkerEvents.WorkerUp("akka.tcp://deepmap@10.0.0.3:4053", "cuda:0 NVIDIA H200"),
        new WorkerEvents.WorkerAcknowledged(),
        new ClusterQueries.GetDevices(),
        new ClusterQueries.Devices(new Dictionary<string, string>
        {
            ["akka.tcp://deepmap@10.0.0.3:4053"] = "cuda:0 NVIDIA H200",
            ["akka.tcp://deepmap@10.0.0.4:4053"] = "cpu ✓",
        }),
    ];

    /// <summary>The name a sample goes by in test output: the same "Outer.Inner" form the manifest uses.</summary>
    public static string NameOf(Type type) => type.DeclaringType is null ? type.Name : $"{type.DeclaringType.Name}.{type.Name}";

    public static IDeepMapMessage Named(string name) => All.Single(m => NameOf(m.GetType()) == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var m in All) data.Add(NameOf(m.GetType()));
        return data;
    }
}
