using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DeepMap.Tensors.IO;

namespace DeepMap.Tensors.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("deepmap-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Tensors_and_metadata_round_trip_through_a_file()
    {
        var path = Path.Combine(_directory, "model.safetensors");
        NamedTensorData[] tensors =
        [
            new("dense.kernel", [2, 3], [1, -2, 3.5f, float.Epsilon, -0f, 1e30f]),
            new("dense.bias", [3], [0.1f, 0.2f, 0.3f]),
            new("step", [], [42]),
            new("empty", [0, 4], []),
        ];
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcödé \"quoted\"" };

        SafeTensors.Write(path, tensors, metadata);
        var content = SafeTensors.Read(path);

        Assert.Equal(tensors.Select(t => t.Name), content.Tensors.Select(t => t.Name));
        foreach (var expected in tensors)
        {
            var actual = content.Get(expected.Name);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.Data, actual.Data);
        }
        Assert.Equal(metadata.OrderBy(p => p.Key), content.Metadata.OrderBy(p => p.Key));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Stream_round_trip_without_metadata_reads_empty_metadata()
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new NamedTensorData("w", [2], [1, 2])]);
        stream.Position = 0;

        var content = SafeTensors.Read(stream, "memory");

        Assert.Empty(content.Metadata);
        Assert.Equal([1f, 2f], content.Get("w").Data);
    }

    [Fact]
    public void Written_file_has_the_documented_layout()
    {
        var path = Path.Combine(_directory, "layout.safetensors");
        SafeTensors.Write(path, [new("a", [2, 3], [1, 2, 3, 4, 5, 6]), new("b", [2], [-1, 0.5f])], new Dictionary<string, string> { ["k"] = "v" });

        var bytes = File.ReadAllBytes(path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var dataStart = 8 + (int)headerLength;

        Assert.Equal(0, dataStart % 8);
        Assert.Equal(dataStart + 8 * sizeof(float), bytes.Length);
        var headerText = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.StartsWith("{", headerText);
        Assert.EndsWith("}", headerText.TrimEnd(' '));
        using var header = JsonDocument.Parse(headerText);
        var root = header.RootElement;
        Assert.Equal("v", root.GetProperty("__metadata__").GetProperty("k").GetString());
        AssertEntry(root.GetProperty("a"), [2, 3], 0, 24);
        AssertEntry(root.GetProperty("b"), [2], 24, 32);
        Assert.Equal(-1f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 24)));
        Assert.Equal(0.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 28)));
    }

    [Fact]
    public void Half_precision_and_double_tensors_are_read_as_float()
    {
        const string header = """
            {"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},
             "b":{"dtype":"BF16","shape":[1,2],"data_offsets":[6,10]},
             "d":{"dtype":"F64","shape":[1],"data_offsets":[10,18]}}
            """;
        byte[] data =
        [
            0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, // F16 1, -2, 0.5
            0x80, 0x3F, 0x60, 0xC0, // BF16 1, -3.5
            0, 0, 0, 0, 0, 0, 0xD0, 0xBF, // F64 -0.25
        ];

        var content = SafeTensors.Read(new MemoryStream(Build(header, data)), "mixed.safetensors");

        Assert.Equal([1f, -2f, 0.5f], content.Get("h").Data);
        Assert.Equal([1, 2], content.Get("b").Shape);
        Assert.Equal([1f, -3.5f], content.Get("b").Data);
        Assert.Equal([-0.25f], content.Get("d").Data);
    }

    [Fact]
    public void Missing_tensor_error_names_the_tensor_and_the_file()
    {
        var content = SafeTensors.Read(new MemoryStream(Build("""{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}""", new byte[4])), "m.safetensors");

        var error = Assert.Throws<KeyNotFoundException>(() => content.Get("bias"));

        Assert.Equal("m.safetensors: no tensor 'bias'; it holds 'w'", error.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", 8, "header is not valid JSON")]
    [InlineData("""[1]""", 0, "header is a JSON Array, expected an object")]
    [InlineData("""{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", 8, "tensor 'w' has dtype 'I64'")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", 8, "tensor 'w' has no array \"shape\"")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "tensor 'w' has shape entry 0 = -2")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,{\"a\":\n1}]}}", 8, "tensor 'w' has data_offsets [0, a JSON Object]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "tensor 'w' has data_offsets [8, 0]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "tensor 'w' is F32 of shape [3], 3 elements of 4 bytes, but data_offsets [0, 8] span 8 bytes")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "tensor 'w' data_offsets [0, 8] run past the end of the 4 data bytes")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "4 bytes of data follow the last tensor's")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "tensor 'b' data_offsets [4, 8] overlap tensor 'a' [0, 8]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "tensor 'a' begins at data offset 4, leaving bytes 0 to 4 unused")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "header lists 'w' twice")]
    [InlineData("""{"__metadata__":{"epoch":3}}""", 0, "__metadata__ entry 'epoch' is a JSON Number, expected a string")]
    public void Corrupt_header_is_rejected_with_one_line_naming_file_and_problem(string header, int dataLength, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(Build(header, new byte[dataLength])), "bad.safetensors"));

        Assert.StartsWith($"bad.safetensors: {problem}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Header_with_invalid_utf8_is_rejected()
    {
        var bytes = Build("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]);
        bytes[10] = 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(bytes), "bad.safetensors"));

        Assert.Equal("bad.safetensors: header is not valid UTF-8", error.Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_rejected()
    {
        var bytes = Build("""{}""", []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(bytes), "cut.safetensors"));

        Assert.Equal("cut.safetensors: header length 1000 exceeds the 2 bytes after it", error.Message);
    }

    [Fact]
    public void Header_length_over_100_MB_is_rejected_before_reading_it()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 200_000_000);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(bytes), "huge.safetensors"));

        Assert.Equal("huge.safetensors: header length 200000000 exceeds the limit of 100000000 bytes", error.Message);
    }

    [Fact]
    public void File_shorter_than_the_length_prefix_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(new MemoryStream(new byte[5]), "tiny.safetensors"));

        Assert.Equal("tiny.safetensors: 5 bytes is too short for the 8-byte header length", error.Message);
    }

    [Fact]
    public void Truncated_data_in_an_unseekable_stream_names_the_tensor()
    {
        var bytes = Build("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[12]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(Gunzip(bytes), "stream.safetensors"));

        Assert.Equal("stream.safetensors: tensor 'w' data_offsets [0, 16] run past the end of the data", error.Message);
    }

    [Fact]
    public void Trailing_data_in_an_unseekable_stream_is_rejected()
    {
        var bytes = Build("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[5]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(Gunzip(bytes), "stream.safetensors"));

        Assert.Equal("stream.safetensors: data continues after the last tensor's", error.Message);
    }

    [Fact]
    public void Unseekable_stream_reads_like_a_file()
    {
        var written = new MemoryStream();
        SafeTensors.Write(written, [new NamedTensorData("a", [2], [3, 4]), new NamedTensorData("b", [1], [5])]);

        var content = SafeTensors.Read(Gunzip(written.ToArray()), "stream.safetensors");

        Assert.Equal([3f, 4f], content.Get("a").Data);
        Assert.Equal([5f], content.Get("b").Data);
    }

    [Fact]
    public void Write_rejects_a_shape_that_does_not_match_the_data_and_keeps_the_old_file()
    {
        var path = Path.Combine(_directory, "keep.safetensors");
        SafeTensors.Write(path, [new NamedTensorData("w", [1], [7])]);

        var error = Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new NamedTensorData("w", [2, 2], [1, 2, 3])]));

        Assert.StartsWith("tensors[0] 'w': shape [2, 2] does not match its 3 values", error.Message);
        Assert.Equal([7f], SafeTensors.Read(path).Get("w").Data);
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Write_rejects_duplicate_names()
    {
        var error = Assert.Throws<ArgumentException>(
            () => SafeTensors.Write(new MemoryStream(), [new NamedTensorData("w", [1], [1]), new NamedTensorData("w", [1], [2])]));

        Assert.StartsWith("tensors[1] 'w': another tensor has the same name", error.Message);
    }

    [Fact]
    public void Write_replaces_an_existing_file()
    {
        var path = Path.Combine(_directory, "replace.safetensors");
        SafeTensors.Write(path, [new NamedTensorData("old", [1], [1])]);

        SafeTensors.Write(path, [new NamedTensorData("new", [1], [2])]);

        Assert.Equal(["new"], SafeTensors.Read(path).Tensors.Select(t => t.Name));
    }

    private static void AssertEntry(JsonElement entry, int[] shape, int begin, int end)
    {
        Assert.Equal("F32", entry.GetProperty("dtype").GetString());
        Assert.Equal(shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([begin, end], entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
    }

    private static byte[] Build(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    // A decompressing stream cannot seek, so it exercises the checks made while reading rather than up front.
    private static Stream Gunzip(byte[] bytes)
    {
        var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(bytes);
        zipped.Position = 0;
        return new GZipStream(zipped, CompressionMode.Decompress);
    }
}
