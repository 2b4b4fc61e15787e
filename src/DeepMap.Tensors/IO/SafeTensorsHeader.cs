using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace DeepMap.Tensors.IO;

/// <summary>
/// The JSON header of a safetensors file: builds it for the F32 tensors <see cref="SafeTensors"/> writes, and parses
/// and checks one it reads, tensor by tensor, against the dtypes it can convert.
/// </summary>
internal static class SafeTensorsHeader
{
    private const string MetadataKey = "__metadata__";

    internal static byte[] Build(IReadOnlyList<NamedTensorData> tensors, IReadOnlyDictionary<string, string>? metadata)
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
    internal static List<SafeTensorsEntry> Parse(byte[] header, string source, Dictionary<string, string> metadata)
    {
        // The JSON parser accepts invalid UTF-8 inside strings and fails only later, when a name is decoded.
        if (!Utf8.IsValid(header)) throw SafeTensors.Invalid(source, "header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw SafeTensors.Invalid(source, $"header is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw SafeTensors.Invalid(source, $"header is a JSON {root.ValueKind}, expected an object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw SafeTensors.Invalid(source, $"header lists '{property.Name}' twice");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, source, metadata);
                else entries.Add(ReadEntry(property.Name, property.Value, source));
            }
            return entries;
        }
    }

    private static void ReadMetadata(JsonElement element, string source, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw SafeTensors.Invalid(source, $"{MetadataKey} is a JSON {element.ValueKind}, expected an object of strings");
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw SafeTensors.Invalid(source, $"{MetadataKey} entry '{property.Name}' is a JSON {property.Value.ValueKind}, expected a string");
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                throw SafeTensors.Invalid(source, $"{MetadataKey} lists '{property.Name}' twice");
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement info, string source)
    {
        var where = $"tensor '{name}'";
        if (info.ValueKind != JsonValueKind.Object)
            throw SafeTensors.Invalid(source, $"{where} is a JSON {info.ValueKind}, expected an object with dtype, shape and data_offsets");
        if (!info.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw SafeTensors.Invalid(source, $"{where} has no string \"dtype\"");
        var dtype = dtypeElement.GetString()!;
        var elementSize = ElementSize(dtype);
        if (elementSize == 0) throw SafeTensors.Invalid(source, $"{where} has dtype '{dtype}', only F32, F64, F16 and BF16 can be read");

        if (!info.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw SafeTensors.Invalid(source, $"{where} has no array \"shape\"");
        var shape = new int[shapeElement.GetArrayLength()];
        for (var d = 0; d < shape.Length; d++)
        {
            var size = shapeElement[d];
            if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt32(out shape[d]) || shape[d] < 0)
                throw SafeTensors.Invalid(source, $"{where} has shape entry {d} = {Describe(size)}, expected a non-negative 32-bit integer");
        }

        if (!info.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw SafeTensors.Invalid(source, $"{where} has no \"data_offsets\" pair [begin, end]");
        var begin = Offset(offsets[0]);
        var end = Offset(offsets[1]);
        if (begin < 0 || end < begin)
            throw SafeTensors.Invalid(source,
                $"{where} has data_offsets [{Describe(offsets[0])}, {Describe(offsets[1])}], expected non-negative integers with begin <= end");

        var count = ElementCount(shape);
        if ((end - begin) % elementSize != 0 || (end - begin) / elementSize != count)
            throw SafeTensors.Invalid(source,
                $"{where} is {dtype} of shape [{string.Join(", ", shape)}], {count} elements of {elementSize} bytes, "
                + $"but data_offsets [{begin}, {end}] span {end - begin} bytes");
        if (count > Array.MaxLength) throw SafeTensors.Invalid(source, $"{where} has {count} elements, more than an array can hold");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    // Raw text only for numbers: anything else could span lines and break the one-line error.
    private static string Describe(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetRawText() : $"a JSON {element.ValueKind}";

    private static long Offset(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0 ? value : -1;

    internal static int ElementSize(string dtype) => dtype switch
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
}
