using System.Buffers.Binary;

namespace DeepMap.Tensors.IO;

/// <summary>
/// The safetensors format (https://github.com/huggingface/safetensors), so that weights move between DeepMap and
/// PyTorch, JAX or the Hugging Face hub without pickles: an 8-byte little-endian header length, a JSON header mapping
/// each tensor name to its dtype, shape and byte range, then the raw little-endian data. Writes F32; reads F32, F64,
/// F16 and BF16 as float.
/// </summary>
public static class SafeTensors
{
    // The reference implementation's limit too; it bounds how much JSON a hostile file can make us parse.
    private const long MaxHeaderBytes = 100_000_000;
    private const int ChunkBytes = 1 << 16;

    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/> and moves it into place, so a crash mid-write leaves the
    /// previous file intact rather than a truncated one.
    /// </summary>
    /// <param name="path">The file to create or replace; its directory must exist.</param>
    /// <param name="tensors">Written in this order.</param>
    /// <param name="metadata">Free-form strings stored under <c>__metadata__</c>.</param>
    public static void Write(string path, IReadOnlyList<NamedTensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = SafeTensorsHeader.Build(tensors, metadata);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"cannot write {path}: directory {directory} does not exist");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, ChunkBytes);
        try
        {
            using (file)
            {
                WriteBody(file, header, tensors);
                // Without this the rename can reach the disk before the data, and a power cut leaves an empty file.
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes the file's bytes at the stream's current position.</summary>
    /// <param name="stream">Left open.</param>
    /// <param name="tensors">Written in this order.</param>
    /// <param name="metadata">Free-form strings stored under <c>__metadata__</c>.</param>
    public static void Write(Stream stream, IReadOnlyList<NamedTensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteBody(stream, SafeTensorsHeader.Build(tensors, metadata), tensors);
    }

    public static SafeTensorsContent Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes);
        return Read(stream, path);
    }

    /// <param name="stream">Read from its current position to its end.</param>
    /// <param name="sourceName">Names the data in error messages, usually its file path.</param>
    public static SafeTensorsContent Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> prefix = stackalloc byte[8];
        var read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < prefix.Length) throw Invalid(sourceName, $"{read} bytes is too short for the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes) throw Invalid(sourceName, $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");
        if (available is { } length && (long)headerLength > length - prefix.Length)
            throw Invalid(sourceName, $"header length {headerLength} exceeds the {length - prefix.Length} bytes after it");
        var header = new byte[headerLength];
        read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < header.Length) throw Invalid(sourceName, $"header length {headerLength} exceeds the {read} bytes after it");

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = SafeTensorsHeader.Parse(header, sourceName, metadata);
        var byOffset = CheckLayout(entries, sourceName);
        // A stream that knows its length is checked before reading, so a lying header cannot make us allocate its claim.
        if (available is { } total) CheckDataLength(entries, byOffset, total - prefix.Length - header.Length, sourceName);

        var data = new float[entries.Count][];
        var chunk = new byte[ChunkBytes];
        foreach (var i in byOffset) data[i] = ReadTensor(stream, entries[i], chunk, sourceName);
        if (stream.ReadByte() >= 0) throw Invalid(sourceName, "data continues after the last tensor's");

        var tensors = entries.Select((e, i) => new NamedTensorData(e.Name, e.Shape, data[i])).ToArray();
        return new SafeTensorsContent(tensors, metadata, sourceName);
    }

    private static void WriteBody(Stream stream, byte[] header, IReadOnlyList<NamedTensorData> tensors)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        var chunk = new byte[ChunkBytes];
        foreach (var tensor in tensors)
        {
            var values = tensor.Data.AsSpan();
            while (!values.IsEmpty)
            {
                var count = Math.Min(values.Length, ChunkBytes / sizeof(float));
                for (var i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(sizeof(float) * i), values[i]);
                stream.Write(chunk, 0, sizeof(float) * count);
                values = values[count..];
            }
        }
    }

    /// <returns>Indices into <paramref name="entries"/>, in data order.</returns>
    private static int[] CheckLayout(List<SafeTensorsEntry> entries, string source)
    {
        var byOffset = Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].Begin).ThenBy(i => entries[i].End).ToArray();
        // The format demands the data section be covered exactly: no overlap that would alias two tensors, no hole in
        // which another file format could hide.
        long covered = 0;
        var previous = -1;
        foreach (var i in byOffset)
        {
            var entry = entries[i];
            if (entry.Begin < covered)
            {
                var other = entries[previous];
                throw Invalid(source,
                    $"tensor '{entry.Name}' data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{other.Name}' [{other.Begin}, {other.End}]");
            }
            if (entry.Begin > covered)
                throw Invalid(source, $"tensor '{entry.Name}' begins at data offset {entry.Begin}, leaving bytes {covered} to {entry.Begin} unused");
            covered = entry.End;
            previous = i;
        }
        return byOffset;
    }

    private static void CheckDataLength(List<SafeTensorsEntry> entries, int[] byOffset, long dataLength, string source)
    {
        foreach (var i in byOffset)
        {
            var entry = entries[i];
            if (entry.End > dataLength)
                throw Invalid(source,
                    $"tensor '{entry.Name}' data_offsets [{entry.Begin}, {entry.End}] run past the end of the {dataLength} data bytes");
        }
        var covered = byOffset.Length == 0 ? 0 : entries[byOffset[^1]].End;
        if (covered < dataLength) throw Invalid(source, $"{dataLength - covered} bytes of data follow the last tensor's");
    }

    private static float[] ReadTensor(Stream stream, SafeTensorsEntry entry, byte[] chunk, string source)
    {
        var elementSize = SafeTensorsHeader.ElementSize(entry.Dtype);
        var values = new float[(entry.End - entry.Begin) / elementSize];
        var perChunk = chunk.Length / elementSize;
        for (var start = 0; start < values.Length; start += perChunk)
        {
            var count = Math.Min(perChunk, values.Length - start);
            var bytes = chunk.AsSpan(0, count * elementSize);
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
                throw Invalid(source, $"tensor '{entry.Name}' data_offsets [{entry.Begin}, {entry.End}] run past the end of the data");
            Convert(entry.Dtype, bytes, values.AsSpan(start, count));
        }
        return values;
    }

    private static void Convert(string dtype, ReadOnlySpan<byte> bytes, Span<float> values)
    {
        switch (dtype)
        {
            case "F32":
                for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(4 * i, 4));
                break;
            case "F64":
                for (var i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(8 * i, 8));
                break;
            case "F16":
                for (var i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(2 * i, 2));
                break;
            default:
                // bfloat16 is the top half of a float32, so widening is a shift.
                for (var i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i, 2)) << 16);
                break;
        }
    }

    internal static InvalidDataException Invalid(string source, string message) => new($"{source}: {message}");
}
