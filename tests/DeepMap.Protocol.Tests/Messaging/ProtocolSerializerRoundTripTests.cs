using System.Buffers.Binary;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using DeepMap.Protocol.Jobs;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Protocol.Tests.Messaging;

public sealed class ProtocolSerializerRoundTripTests(AkkaFixture akka) : IClassFixture<AkkaFixture>
{
    private readonly ProtocolSerializer _serializer = akka.Serializer;

    public static TheoryData<string> Samples => MessageSamples.Names();

    private object RoundTrip(object message) => _serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    [Fact]
    public void Every_protocol_message_type_has_a_round_trip_sample()
    {
        var sampled = MessageSamples.All.Select(m => m.GetType()).ToHashSet();
        var missing = ProtocolSerializer.MessageTypes.Where(t => !sampled.Contains(t)).Select(t => t.FullName).Order().ToList();
        Assert.True(missing.Count == 0, "message types without a sample in MessageSamples.All: " + string.Join(", ", missing));

        // And the other way: every sample is a type the serializer knows, so the coverage check above cannot pass vacuously.
        var unknown = sampled.Where(t => !ProtocolSerializer.MessageTypes.Contains(t)).Select(t => t.FullName).ToList();
        Assert.True(unknown.Count == 0, "samples of types the serializer does not list: " + string.Join(", ", unknown));
        Assert.Equal(MessageSamples.All.Count, sampled.Count); // one sample per type
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_message_type_survives_to_binary_and_from_binary(string name)
    {
        var sample = MessageSamples.Named(name);

        var manifest = _serializer.Manifest(sample);
        var bytes = _serializer.ToBinary(sample);
        var back = _serializer.FromBinary(bytes, manifest);

        MessageAssert.Equal(sample, back);
        Assert.Equal(manifest, _serializer.Manifest(back));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_tensor_comes_back_bit_for_bit(string name)
    {
        if (MessageSamples.Named(name) is not ITensorMessage sample) return;

        var back = Assert.IsAssignableFrom<ITensorMessage>(RoundTrip(sample));

        Assert.Equal(sample.Tensors.Count, back.Tensors.Count);
        for (var i = 0; i < sample.Tensors.Count; i++)
        {
            Assert.NotSame(sample.Tensors[i], back.Tensors[i]);
            MessageAssert.BitsEqual(sample.Tensors[i], back.Tensors[i]);
        }
    }

    [Fact]
    public void Float_arrays_travel_raw_after_the_json_not_inside_it()
    {
        float[] values = [1.5f, float.NaN, -0f];
        var message = new ParameterServerCommands.GradientSlice("job-1", 0, 7, 1, 32, 0.5, 0, values);

        var bytes = _serializer.ToBinary(message);

        var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        using var json = JsonDocument.Parse(bytes.AsMemory(4, jsonLength));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("Values").ValueKind);
        var at = 4 + jsonLength;
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)));
        Assert.Equal(values.Length, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4)));
        for (var i = 0; i < values.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(values[i]), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 8 + 4 * i)));
        Assert.Equal(at + 8 + 4 * values.Length, bytes.Length);
    }

    [Fact]
    public void Manifest_refuses_an_object_that_is_not_a_protocol_message()
    {
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.Manifest("not a message"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => _serializer.Manifest(MessageSamples.Setup));
    }

    /// <summary>
    /// A diverged step has a NaN or infinite loss; the message reporting it must still reach the trainer, or the job
    /// waits for it forever instead of failing. Doubles travel in the JSON, which has no literal for them by default.
    /// Fails until the serializer's JSON options allow named floating-point literals (reported: ToBinary throws ArgumentException).
    /// </summary>
    [Fact]
    public void Non_finite_losses_and_metrics_survive_the_round_trip()
    {
        object[] messages =
        [
            new ParameterServerCommands.GradientSlice("job-1", 0, 7, 1, 32, double.NaN, 0, [1f]),
            new ParameterServerReplies.ShardStepped("job-1", 0, 7, double.PositiveInfinity, 32),
            new JobReplies.JobList([new JobStatus("job-1", "x", JobState.Failed, 1, 2, 3, 4, double.NaN,
                new Dictionary<string, double> { ["loss"] = double.NegativeInfinity }, new Dictionary<string, double>(),
                new Dictionary<string, double>(), double.NaN, null, "loss diverged", null, DateTimeOffset.UnixEpoch, null)]),
        ];
        var failures = new List<string>();
        foreach (var message in messages)
        {
            try { MessageAssert.Equal(message, RoundTrip(message)); }
            catch (Exception e) { failures.Add($"{message.GetType().Name}: {e.GetType().FullName}: {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Error text cut at a fixed length can split a surrogate pair; the reply carrying it must still serialize.</summary>
    [Fact]
    public void Text_with_a_lone_surrogate_still_serializes()
    {
        var error = "model too large 🚀"[..^1]; // ends in a lone high surrogate
        var message = new JobReplies.JobRefused(error, "$.model");

        var e = Record.Exception(() => RoundTrip(message));

        Assert.True(e is null, $"ToBinary/FromBinary of a string ending in a lone surrogate threw {e}");
    }

    // --- through Akka's own serialization pipeline, as remoting uses it -------------------------------------------------

    [Theory]
    [MemberData(nameof(Samples))]
    public void Akka_picks_the_protocol_serializer_for_every_message(string name)
    {
        var sample = MessageSamples.Named(name);

        var serializer = akka.System.Serialization.FindSerializerFor(sample);

        Assert.IsType<ProtocolSerializer>(serializer);
        Assert.Equal(ProtocolSerializer.Id, serializer.Identifier);
        Assert.Same(serializer, akka.System.Serialization.FindSerializerForType(sample.GetType()));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_message_survives_Akkas_serialize_and_deserialize(string name)
    {
        var sample = MessageSamples.Named(name);
        var serialization = akka.System.Serialization;

        var serializer = serialization.FindSerializerFor(sample);
        var manifest = Serialization.ManifestFor(serializer, sample);
        var bytes = serialization.Serialize(sample);
        var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);

        MessageAssert.Equal(sample, back);
    }

    [Fact]
    public async Task A_message_sent_between_actors_is_serialized_and_arrives_intact()
    {
        var config = ConfigurationFactory.ParseString("akka.actor.serialize-messages = on")
            .WithFallback(ConfigurationFactory.ParseString(AkkaFixture.SerializerHocon));
        var system = ActorSystem.Create("serialize-messages", config);
        try
        {
            var echo = system.ActorOf(Props.Create<Echo>(), "echo");
            var sent = new ParameterServerCommands.GradientSlice("job-1", 2, 41, 3, 64, 2.5, 0, MessageSamples.Awkward());

            var received = await echo.Ask<ParameterServerCommands.GradientSlice>(sent, TimeSpan.FromSeconds(10));

            Assert.NotSame(sent, received); // a copy that went through ToBinary/FromBinary, not the same reference
            MessageAssert.Equal(sent, received);
            MessageAssert.BitsEqual(sent.Values, received.Values);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
