using System.Buffers.Binary;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;
using DeepMap.Protocol.Tests.Messaging;
using DeepMap.Protocol.Transport;

namespace DeepMap.Protocol.Tests.Transport;

public sealed class TensorFrameTests
{
    public static TheoryData<string> Samples => MessageSamples.Names();

    private static byte[] Frame(IDeepMapMessage message, TensorRecipient recipient = TensorRecipient.WeightCache, WireEncoding encoding = WireEncoding.Float32)
    {
        var scratch = Array.Empty<byte>();
        using var stream = new MemoryStream();
        TensorFrame.Write(stream, recipient, message, encoding, ref scratch);
        return stream.ToArray();
    }

    private static (TensorRecipient Recipient, IDeepMapMessage Message)? Read(byte[] bytes)
    {
        var scratch = Array.Empty<byte>();
        return TensorFrame.Read(new MemoryStream(bytes), ref scratch);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_message_type_survives_a_frame_bit_for_bit(string name)
    {
        var sample = MessageSamples.Named(name);

        var (recipient, back) = Read(Frame(sample, TensorRecipient.ParameterServers))!.Value;

        Assert.Equal(TensorRecipient.ParameterServers, recipient);
        MessageAssert.Equal(sample, back);
        if (sample is not ITensorMessage tensors) return;
        var arrived = Assert.IsAssignableFrom<ITensorMessage>(back);
        for (var i = 0; i < tensors.Tensors.Count; i++) MessageAssert.BitsEqual(tensors.Tensors[i], arrived.Tensors[i]);
    }

    [Fact]
    public void Fp16_halves_the_bytes_and_rounds_each_value_to_half_precision()
    {
        var values = Enumerable.Range(0, 1000).Select(i => MathF.Sin(i) * 100 + 1e-3f * i).ToArray();
        var message = new ParameterServerReplies.WeightsChunk("job-1", 0, 3, 0, values);

        var full = Frame(message);
        var half = Frame(message, encoding: WireEncoding.Float16);
        var back = (ParameterServerReplies.WeightsChunk)Read(half)!.Value.Message;

        Assert.Equal(full.Length - 2 * values.Length, half.Length);
        Assert.Equal(values.Select(v => (float)(Half)v), back.Values);
        Assert.NotEqual(values, back.Values);
    }

    [Fact]
    public void A_peer_that_closes_between_frames_ends_the_stream_cleanly()
    {
        var one = Frame(new ParameterServerCommands.GetWeights("job-1", 0, 5, "127.0.0.1:1", WireEncoding.Float32));
        var scratch = Array.Empty<byte>();
        var stream = new MemoryStream(one);

        Assert.NotNull(TensorFrame.Read(stream, ref scratch));
        Assert.Null(TensorFrame.Read(stream, ref scratch));
    }

    public static TheoryData<string> Corruptions => new()
    {
        "magic", "recipient 0", "recipient 9", "encoding 7", "manifest 0 bytes", "manifest 129 bytes", "fields 0 bytes",
        "fields 1 MiB", "fields -1", "unknown manifest", "fields not JSON", "2 arrays for 1", "array of int.MaxValue",
        "array of -1", "array of one chunk + 1", "cut in the header", "cut in the fields", "cut in the values",
    };

    /// <summary>Every corruption is refused as a bad frame (never another exception, never a large allocation).</summary>
    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_broken_frame_is_refused_before_it_allocates(string corruption)
    {
        var good = Frame(new ParameterServerCommands.GradientSlice("job-1", 0, 7, 1, 32, 0.5, 0, [1, 2, 3]));
        var manifestLength = BinaryPrimitives.ReadUInt16LittleEndian(good.AsSpan(6));
        var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(good.AsSpan(8));
        var arrayAt = TensorFrame.HeaderBytes + manifestLength + jsonLength;
        var bytes = (byte[])good.Clone();
        switch (corruption)
        {
            case "magic": bytes[0] ^= 0xFF; break;
            case "recipient 0": bytes[4] = 0; break;
            case "recipient 9": bytes[4] = 9; break;
            case "encoding 7": bytes[5] = 7; break;
            case "manifest 0 bytes": BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 0); break;
            case "manifest 129 bytes": BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), 129); break;
            case "fields 0 bytes": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 0); break;
            case "fields 1 MiB": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 1 << 20); break;
            case "fields -1": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), -1); break;
            case "unknown manifest": bytes[TensorFrame.HeaderBytes] = (byte)'Z'; break;
            case "fields not JSON": bytes[TensorFrame.HeaderBytes + manifestLength] = (byte)'#'; break;
            case "2 arrays for 1": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), 2); break;
            case "array of int.MaxValue": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(arrayAt), int.MaxValue); break;
            case "array of -1": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(arrayAt), -1); break;
            case "array of one chunk + 1": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(arrayAt), Chunking.ChunkFloats + 1); break;
            case "cut in the header": bytes = bytes[..7]; break;
            case "cut in the fields": bytes = bytes[..(TensorFrame.HeaderBytes + manifestLength + 3)]; break;
            case "cut in the values": bytes = bytes[..^5]; break;
        }
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Record.Exception(() => Read(bytes));

        Assert.True(e is InvalidDataException or EndOfStreamException, $"{corruption}: {e?.GetType().Name ?? "no exception"}: {e?.Message}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024, $"{corruption}: allocated {GC.GetAllocatedBytesForCurrentThread() - before:N0} bytes");
    }
}
