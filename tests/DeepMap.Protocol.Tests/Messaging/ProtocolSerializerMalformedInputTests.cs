using System.Buffers.Binary;
using System.Text;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Training;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace DeepMap.Protocol.Tests.Messaging;

/// <summary>
/// Akka logs and drops a message whose deserialization throws <see cref="SerializationException"/>; any other
/// exception type (or an out-of-memory) on the remoting path can take the association or the node down. So every
/// malformed input must end in a SerializationException, and nothing else.
/// </summary>
public sealed class ProtocolSerializerMalformedInputTests(AkkaFixture akka) : IClassFixture<AkkaFixture>
{
    private readonly ProtocolSerializer _serializer = akka.Serializer;

    public static TheoryData<string> Samples => MessageSamples.Names();

    private void AssertRefused(byte[] bytes, string manifest, string what = "")
    {
        var e = Record.Exception(() => _serializer.FromBinary(bytes, manifest));
        Assert.True(e is SerializationException,
            $"{manifest} {what} ({bytes.Length} bytes: {Preview(bytes)}): expected SerializationException, got {(e is null ? "a message, no exception" : e.ToString())}");
    }

    private static string Preview(byte[] bytes) => Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 48))) + (bytes.Length > 48 ? "…" : "");

    /// <summary>[int32 JSON length][JSON][int32 array count]([int32 length][floats])* with any of the parts chosen freely.</summary>
    private static byte[] Frame(string json, params int[] tail)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[4 + body.Length + 4 * tail.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, body.Length);
        body.CopyTo(bytes, 4);
        for (var i = 0; i < tail.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 + body.Length + 4 * i), tail[i]);
        return bytes;
    }

    private const string SliceJson = """{"JobId":"job-1","Shard":0,"Step":7,"Partition":1,"Samples":32,"Loss":0.5,"Chunk":0,"Values":null}""";
    private const string Slice = "ParameterServerCommands.GradientSlice";
    private const string DataJson = """{"JobId":"job-1","Partition":0,"Chunk":0,"Chunks":1,"FirstRow":0,"Rows":1,"Features":null,"Targets":null}""";
    private const string Data = "DataReplies.PartitionData";
    private const string ReadyJson = """{"JobId":"job-1","Shard":0,"DataEndpoint":"127.0.0.1:40001"}""";
    private const string Ready = "ParameterServerReplies.ShardReady";

    [Fact]
    public void The_hand_built_frames_below_are_valid_when_well_formed()
    {
        // Guards the frames the other tests break: each is accepted when it is intact.
        Assert.IsType<ParameterServerCommands.GradientSlice>(_serializer.FromBinary(Frame(SliceJson, 1, 2, 0, 0), Slice));
        Assert.IsType<DataReplies.PartitionData>(_serializer.FromBinary(Frame(DataJson, 2, 1, 0, 1, 0), Data));
        Assert.IsType<ParameterServerReplies.ShardReady>(_serializer.FromBinary(Frame(ReadyJson, 0), Ready));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Nope")]
    [InlineData("SubmitJob")]
    [InlineData("jobcommands.submitjob")]
    [InlineData("JobCommands.SubmitJob ")]
    [InlineData("DeepMap.Protocol.Jobs.JobCommands+SubmitJob")]
    [InlineData("DeepMap.Protocol.Jobs.JobCommands+SubmitJob, DeepMap.Protocol")]
    [InlineData("System.Object")]
    [InlineData("JobStatus")]
    [InlineData("PartitionSetup")]
    [InlineData("IDeepMapMessage")]
    public void An_unknown_manifest_is_refused(string manifest)
    {
        AssertRefused(_serializer.ToBinary(new JobCommands.SubmitJob("x")), manifest);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_truncation_of_a_valid_message_is_refused(string name)
    {
        var sample = MessageSamples.Named(name);
        var manifest = _serializer.Manifest(sample);
        var bytes = _serializer.ToBinary(sample);

        for (var length = 0; length < bytes.Length; length++)
            AssertRefused(bytes[..length], manifest, $"cut to {length} of {bytes.Length} bytes");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Garbage_bytes_are_refused(string name)
    {
        var manifest = _serializer.Manifest(MessageSamples.Named(name));
        var random = new Random(manifest.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);

        foreach (var size in new[] { 0, 1, 3, 4, 5, 8, 64, 1000, 70_000 })
            for (var i = 0; i < 5; i++)
            {
                var bytes = new byte[size];
                random.NextBytes(bytes);
                AssertRefused(bytes, manifest, "random bytes");
            }

        AssertRefused([0xFF, 0xFF, 0xFF, 0xFF], manifest, "JSON length -1");
        AssertRefused([0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0], manifest, "JSON length int.MaxValue");
        AssertRefused([0, 0, 0, 0, 0, 0, 0, 0], manifest, "empty JSON");
        AssertRefused(Frame("\uFEFF"), manifest, "JSON of a byte-order mark");
    }

    [Theory]
    [InlineData("JobCommands.SubmitJob", "null")]
    [InlineData("JobCommands.SubmitJob", "[]")]
    [InlineData("JobCommands.SubmitJob", "42")]
    [InlineData("JobCommands.SubmitJob", "\"text\"")]
    [InlineData("JobCommands.SubmitJob", "true")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":42}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":[\"a\"]}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":\"a\"")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":\"a\"}}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":\"\\uZZZZ\"}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":'a'}")]
    [InlineData("JobCommands.SubmitJob", "{SpecText:\"a\"}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":\"a\",}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":\"a\"} // comment")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":{}}")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":[1,2]}")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":[{\"State\":\"Exploded\"}]}")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":[{\"Submitted\":\"yesterday\"}]}")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":[{\"Metrics\":{\"loss\":\"low\"}}]}")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":[{\"Metrics\":[1]}]}")]
    [InlineData("PartitionCommands.ComputeGradient", "{\"Setup\":{\"Loss\":\"Hinge\"}}")]
    [InlineData("PartitionCommands.ComputeGradient", "{\"Setup\":{\"Seed\":-1}}")]
    [InlineData("PartitionCommands.ComputeGradient", "{\"Setup\":{\"FeatureShape\":[1.5]}}")]
    [InlineData("PartitionCommands.ComputeGradient", "{\"Setup\":7}")]
    [InlineData("ParameterServerCommands.GetWeights", "{\"Version\":1e400}")]
    [InlineData("ParameterServerCommands.GetWeights", "{\"Shard\":2147483648}")]
    [InlineData("ParameterServerCommands.GetWeights", "{\"Shard\":\"2\"}")]
    [InlineData("ParameterServerCommands.GetWeights", "{\"Shard\":NaN}")]
    [InlineData("ParameterServerReplies.ShardStepped", "{\"LossSum\":\"NaN-ish\"}")]
    public void AJsonBodyOfTheWrongShapeIsRefused(string manifest, string json)
    {
        AssertRefused(Frame(json, 0), manifest, json);
    }

    [Fact]
    public void Json_nested_too_deeply_is_refused()
    {
        var json = "{\"Jobs\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        AssertRefused(Frame(json, 0), "JobReplies.JobList", "10 000 nested arrays");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })] // a lead byte with no continuation
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // past U+10FFFF
    public void InvalidUtf8InsideAJsonStringIsRefused(byte[] invalid)
    {
        var json = Encoding.UTF8.GetBytes("{\"SpecText\":\"ab").Concat(invalid).Concat(Encoding.UTF8.GetBytes("cd\"}")).ToArray();
        var bytes = new byte[4 + json.Length + 4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, json.Length);
        json.CopyTo(bytes, 4);

        AssertRefused(bytes, "JobCommands.SubmitJob", "invalid UTF-8 " + Convert.ToHexString(invalid));
    }

    // Fails until FromBinary refuses missing/null non-nullable fields (reported: RespectNullableAnnotations and
    // RespectRequiredConstructorParameters, with HandleNull => true on the float[] placeholder converter).
    [Theory]
    [InlineData("{}")]
    [InlineData("{\"Partition\":1,\"Step\":1}")]
    [InlineData("{\"Setup\":null,\"Partition\":1,\"Step\":1}")]
    public void A_compute_gradient_without_its_setup_is_refused(string json)
    {
        // Accepted, it would throw NullReferenceException later, in PartitionMessageExtractor (JobId => Setup.JobId)
        // inside the shard region, instead of being dropped here.
        AssertRefused(Frame(json, 0), "PartitionCommands.ComputeGradient", json);
    }

    // Fails until FromBinary refuses missing/null non-nullable fields (reported, as above). A null *element* of a list
    // ({"Jobs":[null]}) is not covered by those options, so it is not asserted here.
    [Theory]
    [InlineData("JobCommands.SubmitJob", "{}")]
    [InlineData("JobCommands.SubmitJob", "{\"SpecText\":null}")]
    [InlineData("JobReplies.JobList", "{}")]
    [InlineData("JobReplies.JobList", "{\"Jobs\":null}")]
    [InlineData("ParameterServerReplies.ShardReady", "{\"Shard\":1}")]
    public void A_body_missing_a_non_nullable_field_is_refused(string manifest, string json)
    {
        AssertRefused(Frame(json, 0), manifest, json);
    }

    [Fact]
    public void An_array_length_that_runs_past_the_end_is_refused()
    {
        AssertRefused(Frame(SliceJson, 1, 1000, 0, 0), Slice, "length 1000, 2 floats present");
        AssertRefused(Frame(SliceJson, 1, 3, 0, 0), Slice, "length 3, 2 floats present");
        AssertRefused(Frame(SliceJson, 1, int.MaxValue, 0), Slice, "length int.MaxValue (4 * length overflows)");
        AssertRefused(Frame(SliceJson, 1, 0x4000_0000, 0), Slice, "length 2^30 (4 * length overflows)");
        AssertRefused(Frame(SliceJson, 1, -1, 0), Slice, "length -1");
        AssertRefused(Frame(SliceJson, 1, int.MinValue), Slice, "length int.MinValue");
        AssertRefused(Frame(SliceJson, 1), Slice, "count 1, no length");
        AssertRefused(Frame(Data, 2, 1, 0), Data, "count 2, one array present");
    }

    [Fact]
    public void A_json_length_that_runs_past_the_end_is_refused()
    {
        var bytes = Frame(SliceJson, 1, 0);
        foreach (var jsonLength in new[] { bytes.Length - 3, bytes.Length, bytes.Length + 1, int.MaxValue, -1, -4, int.MinValue })
        {
            var broken = (byte[])bytes.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(broken, jsonLength);
            AssertRefused(broken, Slice, $"JSON length {jsonLength}");
        }
    }

    // int.MaxValue fails until the count is checked against the bytes left (reported: OutOfMemoryException escapes).
    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(2)]
    [InlineData(1_000_000)]
    [InlineData(int.MaxValue)]
    public void An_array_count_that_runs_past_the_end_is_refused(int count)
    {
        AssertRefused(Frame(SliceJson, count, 1, 0), Slice, $"array count {count}");
    }

    // Fails until the count is checked against the bytes left before `new float[count][]` (reported).
    [Fact]
    public void A_hostile_array_count_does_not_make_the_node_allocate_for_it()
    {
        // 16 bytes after the JSON claim ten million arrays; the reader must notice they cannot fit before it allocates.
        var bytes = Frame(SliceJson, 10_000_000, 1, 0);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Record.Exception(() => _serializer.FromBinary(bytes, Slice));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsType<SerializationException>(e);
        Assert.True(allocated < 1 << 20, $"a {bytes.Length}-byte message made FromBinary allocate {allocated:N0} bytes");
    }

    // count 2 fails until FromBinary checks count == the message's Tensors.Count (reported: extra arrays are dropped).
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_tensor_message_with_the_wrong_number_of_arrays_is_refused(int count)
    {
        var tail = new List<int> { count };
        for (var i = 0; i < count; i++) tail.AddRange([1, 0]);
        AssertRefused(Frame(SliceJson, [.. tail]), Slice, $"{count} arrays, GradientSlice has 1");
    }

    // count 3 fails until FromBinary checks count == the message's Tensors.Count (reported: extra arrays are dropped).
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Partition_data_with_the_wrong_number_of_arrays_is_refused(int count)
    {
        var tail = new List<int> { count };
        for (var i = 0; i < count; i++) tail.AddRange([1, 0]);
        AssertRefused(Frame(DataJson, [.. tail]), Data, $"{count} arrays, PartitionData has 2");
    }

    [Fact]
    public void A_message_without_arrays_that_claims_some_is_refused()
    {
        AssertRefused(Frame(ReadyJson, 1, 0), Ready, "count 1");
        AssertRefused(Frame(ReadyJson, -1), Ready, "count -1");
    }

    [Fact]
    public void A_json_float_array_instead_of_a_raw_one_is_refused()
    {
        AssertRefused(Frame(SliceJson.Replace("\"Values\":null", "\"Values\":[1,2,3]"), 1, 0), Slice, "Values in the JSON");
        AssertRefused(Frame(SliceJson.Replace("\"Values\":null", "\"Values\":\"AAAA\""), 1, 0), Slice, "Values as a string");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Bytes_after_the_last_array_are_refused(int extra)
    {
        var slice = Frame(SliceJson, 1, 0);
        AssertRefused([.. slice, .. new byte[extra]], Slice, $"{extra} extra bytes");
    }

    // Fails until the trailing-bytes check also runs for messages without arrays (reported; tensor messages have it).
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Bytes_after_the_array_count_of_a_message_without_arrays_are_refused(int extra)
    {
        var ready = Frame(ReadyJson, 0);
        AssertRefused([.. ready, .. new byte[extra]], Ready, $"{extra} extra bytes");
    }

    /// <summary>
    /// Every single-byte corruption of every sample (bit flips, bytes set to 0x00, 0xFF, '"', '{', 0x80) gives either a
    /// message of the manifest's type or a SerializationException: never another exception.
    /// </summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public void Any_one_corrupt_byte_gives_a_message_or_a_serialization_exception(string name)
    {
        var sample = MessageSamples.Named(name);
        var manifest = _serializer.Manifest(sample);
        var bytes = _serializer.ToBinary(sample);
        var failures = new List<string>();

        // The array-count field is left alone here: while FromBinary allocates count references before it checks that
        // the arrays fit, a corrupt count (0x7F000001) makes it allocate ~17 GB. AnArrayCountThatRunsPastTheEndIsRefused
        // and AHostileArrayCountDoesNotMakeTheNodeAllocateForIt cover that field.
        var countField = 4 + BinaryPrimitives.ReadInt32LittleEndian(bytes);

        Func<byte, byte>[] corruptions = [b => (byte)(b ^ 0x01), b => (byte)(b ^ 0x80), _ => 0x00, _ => 0xFF, _ => (byte)'"', _ => (byte)'{', _ => 0x80];
        for (var at = 0; at < bytes.Length; at++)
        {
            if (at >= countField && at < countField + 4) continue;
            foreach (var corrupt in corruptions)
            {
                var broken = (byte[])bytes.Clone();
                broken[at] = corrupt(broken[at]);
                if (broken[at] == bytes[at]) continue;
                try
                {
                    var back = _serializer.FromBinary(broken, manifest);
                    if (back.GetType() != sample.GetType()) failures.Add($"byte {at} = 0x{broken[at]:X2}: got a {back.GetType()}");
                }
                catch (SerializationException)
                {
                }
                catch (Exception e)
                {
                    failures.Add($"byte {at} 0x{bytes[at]:X2} -> 0x{broken[at]:X2}: {e.GetType().FullName}: {e.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} corruptions threw something else:\n" + string.Join("\n", failures.Take(20)));
    }
}
