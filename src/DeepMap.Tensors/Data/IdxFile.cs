using System.Buffers.Binary;
using System.IO.Compression;

namespace DeepMap.Tensors.Data;

/// <summary>
/// The IDX format of MNIST and Fashion-MNIST: two zero bytes, an element type byte, a dimension count byte, one
/// big-endian int32 per dimension, then the elements big-endian. The datasets ship gzipped, so gzip is recognised by its
/// magic number and undone transparently.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;
    private const byte SignedByte = 0x09;
    private const byte Int16 = 0x0B;
    private const byte Int32 = 0x0C;
    private const byte Float32 = 0x0D;
    private const byte Float64 = 0x0E;
    private const int MagicBytes = 4;

    public static IdxArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <param name="stream">IDX data, gzipped or not.</param>
    /// <param name="sourceName">Names the data in error messages, usually its file path.</param>
    public static IdxArray Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Parse(ReadDecompressed(stream, sourceName), sourceName);
    }

    /// <summary>Writes unsigned-byte elements, the type MNIST images and labels use.</summary>
    public static void Write(string path, int[] shape, byte[] data, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (shape.Length is 0 or > byte.MaxValue)
            throw new ArgumentException($"shape has {shape.Length} dimensions, IDX allows 1 to {byte.MaxValue}", nameof(shape));
        long count = 1;
        foreach (var size in shape)
        {
            if (size < 0) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension", nameof(shape));
            count = Math.Min(count * size, (long)Array.MaxLength + 1);
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not match the {data.Length} bytes of data", nameof(data));

        var header = new byte[MagicBytes + 4 * shape.Length];
        header[2] = UnsignedByte;
        header[3] = (byte)shape.Length;
        for (var d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(MagicBytes + 4 * d), shape[d]);

        using var file = File.Create(path);
        using var output = gzip ? new GZipStream(file, CompressionLevel.Optimal) : (Stream)file;
        output.Write(header);
        output.Write(data);
    }

    /// <summary>Only the shape from the header: what a job check needs without decompressing the whole file.</summary>
    public static int[] ReadShape(string path)
    {
        using var file = File.OpenRead(path);
        var first = new byte[2];
        var isGzip = file.Read(first) == 2 && first[0] == 0x1F && first[1] == 0x8B;
        file.Position = 0;
        using var stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        var magic = new byte[MagicBytes];
        try
        {
            stream.ReadExactly(magic);
            if (magic[0] != 0 || magic[1] != 0 || ElementSize(magic[2]) == 0 || magic[3] == 0)
                throw new InvalidDataException($"{path}: not an IDX file (magic 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2})");
            var dims = new byte[4 * magic[3]];
            stream.ReadExactly(dims);
            return Enumerable.Range(0, magic[3]).Select(d => BinaryPrimitives.ReadInt32BigEndian(dims.AsSpan(4 * d))).ToArray();
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated IDX header");
        }
    }

    private static ArraySegment<byte> ReadDecompressed(Stream stream, string source)
    {
        var raw = ReadAll(stream);
        if (raw.Count < 2 || raw[0] != 0x1F || raw[1] != 0x8B) return raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw.Array!, raw.Offset, raw.Count, writable: false), CompressionMode.Decompress);
            return ReadAll(gzip);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: corrupt gzip data: {e.Message}", e);
        }
    }

    private static ArraySegment<byte> ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static IdxArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < MagicBytes)
            throw new InvalidDataException($"{source}: {bytes.Length} bytes is too short for the 4-byte IDX magic number");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{source}: not an IDX file: bytes 0-1 are 0x{bytes[0]:X2} 0x{bytes[1]:X2}, expected 0x00 0x00");
        var type = bytes[2];
        var elementSize = ElementSize(type);
        if (elementSize == 0)
            throw new InvalidDataException(
                $"{source}: byte 2: unknown IDX element type 0x{type:X2}, expected one of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E");
        int rank = bytes[3];
        if (rank == 0) throw new InvalidDataException($"{source}: byte 3: the IDX header declares 0 dimensions, at least 1 is needed");
        var dataStart = MagicBytes + 4 * rank;
        if (bytes.Length < dataStart)
            throw new InvalidDataException($"{source}: truncated IDX header: {rank} dimensions need {dataStart} bytes, the file has {bytes.Length}");

        var shape = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(bytes[(MagicBytes + 4 * d)..]);
            if (shape[d] < 0)
                throw new InvalidDataException($"{source}: byte {MagicBytes + 4 * d}: dimension {d} has negative size {shape[d]}");
        }
        long count = 1;
        foreach (var size in shape) count = Math.Min(count * size, (long)Array.MaxLength + 1);
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{source}: shape [{string.Join(", ", shape)}] has more elements than an array can hold");

        var payload = bytes[dataStart..];
        if (payload.Length != count * elementSize)
        {
            var problem = payload.Length < count * elementSize ? "truncated IDX data" : "IDX data longer than its shape";
            throw new InvalidDataException(
                $"{source}: {problem}: expected {count} elements for shape [{string.Join(", ", shape)}], "
                + $"found {payload.Length / elementSize} ({payload.Length} bytes)");
        }
        return new IdxArray(shape, Convert(type, payload, (int)count));
    }

    private static int ElementSize(byte type) => type switch
    {
        UnsignedByte or SignedByte => 1,
        Int16 => 2,
        Int32 or Float32 => 4,
        Float64 => 8,
        _ => 0,
    };

    private static float[] Convert(byte type, ReadOnlySpan<byte> payload, int count)
    {
        var data = new float[count];
        switch (type)
        {
            case UnsignedByte:
                for (var i = 0; i < count; i++) data[i] = payload[i];
                break;
            case SignedByte:
                for (var i = 0; i < count; i++) data[i] = (sbyte)payload[i];
                break;
            case Int16:
                for (var i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadInt16BigEndian(payload.Slice(2 * i, 2));
                break;
            case Int32:
                for (var i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadInt32BigEndian(payload.Slice(4 * i, 4));
                break;
            case Float32:
                for (var i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadSingleBigEndian(payload.Slice(4 * i, 4));
                break;
            default:
                for (var i = 0; i < count; i++) data[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(payload.Slice(8 * i, 8));
                break;
        }
        return data;
    }
}
