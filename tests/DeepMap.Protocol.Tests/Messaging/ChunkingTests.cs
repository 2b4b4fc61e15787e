using System.Runtime.InteropServices;
using DeepMap.Protocol.Messaging;
using DeepMap.Protocol.ParameterServer;

namespace DeepMap.Protocol.Tests.Messaging;

public sealed class ChunkingTests(AkkaFixture akka) : IClassFixture<AkkaFixture>
{
    // 17 floats beyond what a whole frame holds: unchunked, the tensor could never travel as one message.
    private const int Length = Chunking.MaximumFrameSize / sizeof(float) + 17;
    private const int Chunks = 5;

    private readonly ProtocolSerializer _serializer = akka.Serializer;

    /// <summary>Random bit patterns (NaNs with payloads, subnormals, infinities among them) led by the awkward values.</summary>
    private static float[] Tensor(int length, int seed)
    {
        var values = new float[length];
        new Random(seed).NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        MessageSamples.Awkward().AsSpan().CopyTo(values);
        return values;
    }

    public static TheoryData<string> Kinds => ["GradientSlice", "WeightsChunk", "InitializeShard"];

    private static ITensorMessage ChunkMessage(string kind, int chunk, float[] values) => kind switch
    {
        "GradientSlice" => new ParameterServerCommands.GradientSlice("job-1", 2, 41, 3, 64, 2.5, chunk, values),
        "WeightsChunk" => new ParameterServerReplies.WeightsChunk("job-1", 2, 42, chunk, values),
        "InitializeShard" => new ParameterServerCommands.InitializeShard("job-1", 2, Length, 4, "{\"sgd\":{\"lr\":0.1}}", "akka://deepmap/user/t", 0, 0, 0, 1, ParameterServerStepping.AllPartitions, chunk, values),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static (int Chunk, float[] Values) ChunkOf(object message) => message switch
    {
        ParameterServerCommands.GradientSlice m => (m.Chunk, m.Values),
        ParameterServerReplies.WeightsChunk m => (m.Chunk, m.Values),
        ParameterServerCommands.InitializeShard m => (m.Chunk, m.Values),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_tensor_larger_than_a_frame_travels_in_chunks_that_each_fit_a_frame_and_reassemble_bit_for_bit(string kind)
    {
        var original = Tensor(Length, seed: 1234);
        Assert.True(sizeof(float) * original.Length > Chunking.MaximumFrameSize, $"{original.Length} floats fit a frame of {Chunking.MaximumFrameSize} bytes");
        var whole = _serializer.ToBinary(ChunkMessage(kind, 0, original));
        Assert.True(whole.Length > Chunking.MaximumFrameSize, $"the unchunked message is {whole.Length} bytes, frame is {Chunking.MaximumFrameSize}");
        var count = Chunking.Count(original.Length);
        Assert.Equal(Chunks, count);

        var frames = new List<(string Manifest, byte[] Bytes)>();
        for (var chunk = 0; chunk < count; chunk++)
        {
            var message = ChunkMessage(kind, chunk, Chunking.Slice(original, chunk));
            var bytes = _serializer.ToBinary(message);
            Assert.True(bytes.Length < Chunking.MaximumFrameSize, $"chunk {chunk} is {bytes.Length} bytes, frame is {Chunking.MaximumFrameSize}");
            frames.Add((_serializer.Manifest(message), bytes));
        }
        Assert.Equal(frames[0].Bytes.Length - 4 * (Chunking.ChunkFloats - 17), frames[^1].Bytes.Length); // the last frame carries 17 floats
        Assert.Equal(17, ChunkOf(_serializer.FromBinary(frames[^1].Bytes, frames[^1].Manifest)).Values.Length);

        // Delivered out of order, one of them twice (a retried request).
        var random = new Random(42);
        var delivery = frames.OrderBy(_ => random.Next()).ToList();
        delivery.Insert(2, delivery[0]);

        var assembler = new ChunkAssembler(original.Length);
        var distinct = new HashSet<int>();
        foreach (var (manifest, bytes) in delivery)
        {
            Assert.False(assembler.IsComplete);
            var (chunk, values) = ChunkOf(_serializer.FromBinary(bytes, manifest));
            assembler.Add(chunk, values);
            distinct.Add(chunk);
            Assert.Equal(distinct.Count == count, assembler.IsComplete);
        }

        Assert.True(assembler.IsComplete);
        MessageAssert.BitsEqual(original, assembler.ToArray());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(Chunking.ChunkFloats - 1, 1)]
    [InlineData(Chunking.ChunkFloats, 1)]
    [InlineData(Chunking.ChunkFloats + 1, 2)]
    [InlineData(2 * Chunking.ChunkFloats, 2)]
    [InlineData(3 * Chunking.ChunkFloats + 17, 4)]
    [InlineData(Length, Chunks)]
    public void Chunks_cover_the_array_exactly_once_with_no_empty_trailing_chunk(int length, int expectedChunks)
    {
        Assert.Equal(expectedChunks, Chunking.Count(length));
        var covered = 0;
        for (var chunk = 0; chunk < expectedChunks; chunk++)
        {
            var (offset, count) = Chunking.Range(length, chunk);
            Assert.Equal(covered, offset);
            Assert.InRange(count, length == 0 ? 0 : 1, Chunking.ChunkFloats);
            covered += count;
        }
        Assert.Equal(length, covered);
    }

    [Fact]
    public void An_empty_tensor_is_one_empty_chunk()
    {
        var assembler = new ChunkAssembler(0);
        Assert.False(assembler.IsComplete);

        var message = ChunkMessage("WeightsChunk", 0, Chunking.Slice(ReadOnlySpan<float>.Empty, 0));
        var (chunk, values) = ChunkOf(_serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message)));
        assembler.Add(chunk, values);

        Assert.True(assembler.IsComplete);
        Assert.Empty(assembler.ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Chunks)]
    [InlineData(Chunks + 1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Assembler_rejects_a_chunk_index_out_of_range(int chunk)
    {
        var assembler = new ChunkAssembler(Length);

        Assert.Throws<InvalidDataException>(() => assembler.Add(chunk, new float[17]));

        Assert.False(assembler.IsComplete);
        Assert.All(assembler.ToArray(), v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));
    }

    [Theory]
    [InlineData(0, Chunking.ChunkFloats - 1)]
    [InlineData(0, Chunking.ChunkFloats + 1)]
    [InlineData(1, 0)]
    [InlineData(Chunks - 1, 16)]
    [InlineData(Chunks - 1, 18)]
    [InlineData(Chunks - 1, Chunking.ChunkFloats)]
    public void Assembler_rejects_a_chunk_of_the_wrong_length(int chunk, int length)
    {
        var assembler = new ChunkAssembler(Length);

        Assert.Throws<InvalidDataException>(() => assembler.Add(chunk, new float[length]));

        // The bad chunk counted for nothing: the array still needs all its chunks.
        for (var c = 0; c < Chunks; c++)
        {
            Assert.False(assembler.IsComplete);
            assembler.Add(c, new float[Chunking.Range(Length, c).Length]);
        }
        Assert.True(assembler.IsComplete);
    }

    [Fact]
    public void A_duplicate_chunk_is_ignored_and_the_first_copy_kept()
    {
        var assembler = new ChunkAssembler(10);

        assembler.Add(0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assembler.Add(0, new float[10]);

        Assert.True(assembler.IsComplete);
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8, 9, 10], assembler.ToArray());
    }
}
