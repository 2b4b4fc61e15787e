using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace DeepMap.Protocol.Messaging;

/// <summary>
/// The wire format of every <see cref="IDeepMapMessage"/>. The manifest names the message type from a closed list
/// (the message records of this assembly), so an unknown or hostile type name is refused, never instantiated.
/// Fields travel as JSON; float arrays of an <see cref="ITensorMessage"/> travel raw (little-endian) after it:
/// [int32 JSON length][JSON][int32 array count]([int32 length][floats])*.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7300;

    private static readonly Dictionary<string, Type> TypesByManifest = typeof(IDeepMapMessage).Assembly.GetTypes()
        .Where(t => typeof(IDeepMapMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
        .ToDictionary(ManifestOf);

    private static readonly Dictionary<Type, string> ManifestsByType = TypesByManifest.ToDictionary(p => p.Value, p => p.Key);

    private static readonly JsonSerializerOptions Json = new()
    {
        // A diverged job's NaN or infinite loss must still be reportable.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // A peer that leaves out a field gets a SerializationException, not a message with a null inside.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false), new FloatArraysStayOutOfJson() },
    };

    public override int Identifier => Id;

    public static IReadOnlyCollection<Type> MessageTypes => ManifestsByType.Keys;

    private static string ManifestOf(Type type) => type.DeclaringType is null ? type.Name : $"{type.DeclaringType.Name}.{type.Name}";

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest) ? manifest : throw new SerializationException($"{o.GetType()} is not a DeepMap protocol message");

    public override byte[] ToBinary(object obj)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);
        var tensors = (obj as ITensorMessage)?.Tensors ?? [];
        var size = 4 + json.Length + 4 + tensors.Sum(t => 4 + 4 * t.Length);
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, json.Length);
        json.CopyTo(span[4..]);
        var at = 4 + json.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], tensors.Count);
        at += 4;
        foreach (var t in tensors)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], t.Length);
            at += 4;
            WriteFloats(t, span.Slice(at, 4 * t.Length));
            at += 4 * t.Length;
        }
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown DeepMap message type '{manifest}'");
        try
        {
            var span = bytes.AsSpan();
            var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(span);
            var message = JsonSerializer.Deserialize(span.Slice(4, jsonLength), type, Json)
                ?? throw new SerializationException($"{manifest}: empty message");
            var at = 4 + jsonLength;
            var count = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            at += 4;
            if (message is not ITensorMessage tensorMessage)
            {
                if (count != 0) throw new SerializationException($"{manifest}: carries no arrays, got {count}");
                if (at != bytes.Length) throw new SerializationException($"{manifest}: {bytes.Length - at} bytes after the message");
                return message;
            }
            // Checked before allocating anything: a forged count must not make the node allocate gigabytes.
            if (count != tensorMessage.Tensors.Count)
                throw new SerializationException($"{manifest}: carries {tensorMessage.Tensors.Count} arrays, got {count}");
            var tensors = new float[count][];
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
                at += 4;
                if (length < 0 || length > (bytes.Length - at) / 4)
                    throw new SerializationException($"{manifest}: array {i} claims {length} values; {bytes.Length - at} bytes remain");
                tensors[i] = ReadFloats(span.Slice(at, checked(4 * length)));
                at += 4 * length;
            }
            if (at != bytes.Length) throw new SerializationException($"{manifest}: {bytes.Length - at} bytes after the last array");
            return tensorMessage.WithTensors(tensors);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or OverflowException or IndexOutOfRangeException or InvalidCastException or NotSupportedException)
        {
            throw new SerializationException($"{manifest}: malformed message ({bytes.Length} bytes): {e.Message}", e);
        }
    }

    private static void WriteFloats(float[] values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(destination);
            return;
        }
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], values[i]);
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> source)
    {
        var values = new float[source.Length / 4];
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
        return values;
    }

    /// <summary>Float arrays are written after the JSON, not in it; in the JSON they are null placeholders.</summary>
    private sealed class FloatArraysStayOutOfJson : JsonConverter<float[]>
    {
        public override bool HandleNull => true;

        public override float[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.Null) throw new JsonException("float arrays travel outside the JSON");
            return [];
        }

        public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options) => writer.WriteNullValue();
    }
}
