using System.Text.Json;
using System.Text.Json.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace DeepMap.Protocol.Messaging;

/// <summary>
/// How a message's fields travel, on Akka remoting (<see cref="ProtocolSerializer"/>) and on the tensor data channel
/// alike: a manifest from a closed list (the message records of this assembly), so an unknown or hostile type name is
/// refused, never instantiated; the fields as JSON with float arrays left out, to travel raw after it.
/// </summary>
public static class ProtocolCodec
{
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

    public static IReadOnlyCollection<Type> MessageTypes => ManifestsByType.Keys;

    public static string Manifest(object message) =>
        ManifestsByType.TryGetValue(message.GetType(), out var manifest) ? manifest : throw new SerializationException($"{message.GetType()} is not a DeepMap protocol message");

    public static byte[] Fields(object message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Json);

    /// <summary>The message the fields describe, its float arrays still empty; a bad manifest or bad fields throw a SerializationException.</summary>
    public static object FromFields(string manifest, ReadOnlySpan<byte> json)
    {
        if (!TypesByManifest.TryGetValue(manifest, out var type))
            throw new SerializationException($"unknown DeepMap message type '{manifest}'");
        try
        {
            return JsonSerializer.Deserialize(json, type, Json) ?? throw new SerializationException($"{manifest}: empty message");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidCastException or NotSupportedException)
        {
            throw new SerializationException($"{manifest}: malformed fields ({json.Length} bytes): {e.Message}", e);
        }
    }

    /// <summary>How many float arrays a message of this kind carries: checked before any is read, so a forged count allocates nothing.</summary>
    public static int ArrayCount(object message) => (message as ITensorMessage)?.Tensors.Count ?? 0;

    private static string ManifestOf(Type type) => type.DeclaringType is null ? type.Name : $"{type.DeclaringType.Name}.{type.Name}";

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
