using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

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
    private const string MetadataKey = "__metadata__";
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
        var header = BuildHeader(tensors, metadata);
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
        WriteBody(stream, BuildHeader(tensors, metadata), tensors);
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
        var entries = ParseHeader(header, sourceName, metadata);
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

    private static byte[] BuildHeader(IReadOnlyList<NamedTensorData> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var json = new ArrayBufferWriter<byte>();
        // The default encoder escapes '+', '<' and all non-ASCII; names stay readable to tools that grep headers.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (value is null) throw new ArgumentException($"metadata '{key}' is null, the format stores only strings", nameof(metadata));
                    writer.WriteString(key, value);
                }
                writer.WriteEndObject();
            }
            long offset = 0;
            for (var i = 0; i < tensors.Count; i++)
            {
                var tensor = tensors[i];
                CheckWritable(tensor, i, names);
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (var size in tensor.Shape) writer.WriteNumberValue(size);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                offset += sizeof(float) * (long)tensor.Data.Length;
                writer.WriteNumberValue(offset);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        // Padding to 8 bytes aligns the data section, so readers that map the file can view tensors in place.
        var header = new byte[(json.WrittenCount + 7) / 8 * 8];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void CheckWritable(NamedTensorData? tensor, int index, HashSet<string> names)
    {
        if (tensor is null) throw new ArgumentException($"tensors[{index}] is null", "tensors");
        var where = $"tensors[{index}] '{tensor.Name}'";
        if (tensor.Name is null or MetadataKey) throw new ArgumentException($"{where}: the name is null or reserved", "tensors");
        if (!names.Add(tensor.Name)) throw new ArgumentException($"{where}: another tensor has the same name", "tensors");
        if (tensor.Shape is null || tensor.Data is null) throw new ArgumentException($"{where}: Shape and Data must not be null", "tensors");
        if (tensor.Shape.Any(size => size < 0) || ElementCount(tensor.Shape) != tensor.Data.Length)
            throw new ArgumentException(
                $"{where}: shape [{string.Join(", ", tensor.Shape)}] does not match its {tensor.Data.Length} values", "tensors");
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

    private static List<Entry> ParseHeader(byte[] header, string source, Dictionary<string, string> metadata)
    {
        // The JSON parser accepts invalid UTF-8 inside strings and fails only later, when a name is decoded.
        if (!Utf8.IsValid(header)) throw Invalid(source, "header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"header is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid(source, $"header is a JSON {root.ValueKind}, expected an object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Invalid(source, $"header lists '{property.Name}' twice");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, source, metadata);
                else entries.Add(ReadEntry(property.Name, property.Value, source));
            }
            return entries;
        }
    }

    private static void ReadMetadata(JsonElement element, string source, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Invalid(source, $"{MetadataKey} is a JSON {element.ValueKind}, expected an object of strings");
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Invalid(source, $"{MetadataKey} entry '{property.Name}' is a JSON {property.Value.ValueKind}, expected a string");
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                throw Invalid(source, $"{MetadataKey} lists '{property.Name}' twice");
        }
    }

    private static Entry ReadEntry(string name, JsonElement info, string source)
    {
        var where = $"tensor '{name}'";
        if (info.ValueKind != JsonValueKind.Object)
            throw Invalid(source, $"{where} is a JSON {info.ValueKind}, expected an object with dtype, shape and data_offsets");
        if (!info.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Invalid(source, $"{where} has no string \"dtype\"");
        var dtype = dtypeElement.GetString()!;
        var elementSize = ElementSize(dtype);
        if (elementSize == 0) throw Invalid(source, $"{where} has dtype '{dtype}', only F32, F64, F16 and BF16 can be read");

        if (!info.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(source, $"{where} has no array \"shape\"");
        var shape = new int[shapeElement.GetArrayLength()];
        for (var d = 0; d < shape.Length; d++)
        {
            var size = shapeElement[d];
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out shape[d]) || shape[d] < 0)
                throw Invalid(source, $"{where} has shape entry {d} = {Describe(size)}, expected a non-negative 32-bit integer");
        }

        if (!info.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(source, $"{where} has no \"data_offsets\" pair [begin, end]");
        var begin = Offset(offsets[0]);
        var end = Offset(offsets[1]);
        if (begin < 0 || end < begin)
            throw Invalid(source,
                $"{where} has data_offsets [{Describe(offsets[0])}, {Describe(offsets[1])}], expected non-negative integers with begin <= end");

        var count = ElementCount(shape);
        if ((end - begin) % elementSize != 0 || (end - begin) / elementSize != count)
            throw Invalid(source,
                $"{where} is {dtype} of shape [{string.Join(", ", shape)}], {count} elements of {elementSize} bytes, "
                + $"but data_offsets [{begin}, {end}] span {end - begin} bytes");
        if (count > Array.MaxLength) throw Invalid(source, $"{where} has {count} elements, more than an array can hold");
        return new Entry(name, dtype, shape, begin, end);
    }

    // Raw text only for numbers: anything else could span lines and break the one-line error.
    private static string Describe(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetRawText() : $"a JSON {element.ValueKind}";

    private static long Offset(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0 ? value : -1;

    /// <returns>Indices into <paramref name="entries"/>, in data order.</returns>
    private static int[] CheckLayout(List<Entry> entries, string source)
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

    private static void CheckDataLength(List<Entry> entries, int[] byOffset, long dataLength, string source)
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

    private static float[] ReadTensor(Stream stream, Entry entry, byte[] chunk, string source)
    {
        var elementSize = ElementSize(entry.Dtype);
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

    private static int ElementSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F64" => 8,
        "F16" or "BF16" => 2,
        _ => 0,
    };

    // Saturates rather than overflows, so an absurd shape fails the size checks instead of wrapping to a plausible count.
    private static long ElementCount(int[] shape)
    {
        if (shape.Contains(0)) return 0;
        long count = 1;
        foreach (var size in shape) count = count > long.MaxValue / size ? long.MaxValue : count * size;
        return count;
    }

    private static InvalidDataException Invalid(string source, string message) => new($"{source}: {message}");

    private readonly record struct Entry(string Name, string Dtype, int[] Shape, long Begin, long End);
}
