using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepMap.Protocol.Tests.Messaging;

/// <summary>
/// Structural equality for message records, whose arrays, lists and dictionaries compare by reference under Equals:
/// both sides are written as JSON with every float written as its bit pattern, so NaN payloads and -0 count.
/// </summary>
internal static class MessageAssert
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(), new FloatArrayAsBits() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Describe(object message) => JsonSerializer.Serialize(message, message.GetType(), Json);

    public static void Equal(object expected, object? actual)
    {
        Assert.NotNull(actual);
        Assert.IsType(expected.GetType(), actual);
        Assert.Equal(Describe(expected), Describe(actual));
    }

    public static void BitsEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var e = MemoryMarshal.Cast<float, int>(expected);
        var a = MemoryMarshal.Cast<float, int>(actual);
        var at = e.CommonPrefixLength(a);
        Assert.True(at == e.Length, at == e.Length ? "" : $"first difference at [{at}]: expected bits 0x{e[at]:X8} ({expected[at]}), got 0x{a[at]:X8} ({actual[at]})");
    }

    private sealed class FloatArrayAsBits : JsonConverter<float[]>
    {
        public override float[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, float[] value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var v in value) writer.WriteStringValue(BitConverter.SingleToInt32Bits(v).ToString("X8"));
            writer.WriteEndArray();
        }
    }
}
