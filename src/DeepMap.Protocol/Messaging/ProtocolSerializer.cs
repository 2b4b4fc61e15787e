using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Serialization;
using SerializationException = System.Runtime.Serialization.SerializationException;

namespace DeepMap.Protocol.Messaging;

/// <summary>
/// The Akka remoting format of every <see cref="IDeepMapMessage"/>: the manifest and fields of
/// <see cref="ProtocolCodec"/>, then the float arrays of an <see cref="ITensorMessage"/> raw (little-endian):
/// [int32 JSON length][JSON][int32 array count]([int32 length][floats])*.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7300;

    public override int Identifier => Id;

    public static IReadOnlyCollection<Type> MessageTypes => ProtocolCodec.MessageTypes;

    public override string Manifest(object o) => ProtocolCodec.Manifest(o);

    public override byte[] ToBinary(object obj)
    {
        var json = ProtocolCodec.Fields(obj);
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
            FloatBytes.Write(t, span.Slice(at, 4 * t.Length));
            at += 4 * t.Length;
        }
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            var span = bytes.AsSpan();
            var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(span);
            var message = ProtocolCodec.FromFields(manifest, span.Slice(4, jsonLength));
            var at = 4 + jsonLength;
            var count = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            at += 4;
            // Checked before allocating anything: a forged count must not make the node allocate gigabytes.
            if (count != ProtocolCodec.ArrayCount(message))
                throw new SerializationException($"{manifest}: carries {ProtocolCodec.ArrayCount(message)} arrays, got {count}");
            var tensors = new float[count][];
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
                at += 4;
                if (length < 0 || length > (bytes.Length - at) / 4)
                    throw new SerializationException($"{manifest}: array {i} claims {length} values; {bytes.Length - at} bytes remain");
                tensors[i] = new float[length];
                FloatBytes.Read(span.Slice(at, checked(4 * length)), tensors[i]);
                at += 4 * length;
            }
            if (at != bytes.Length) throw new SerializationException($"{manifest}: {bytes.Length - at} bytes after the message");
            return message is ITensorMessage tensorMessage ? tensorMessage.WithTensors(tensors) : message;
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new SerializationException($"{manifest}: malformed message ({bytes.Length} bytes): {e.Message}", e);
        }
    }
}

/// <summary>Float arrays as little-endian bytes, a plain copy on little-endian machines.</summary>
public static class FloatBytes
{
    public static void Write(ReadOnlySpan<float> values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(destination);
            return;
        }
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], values[i]);
    }

    public static void Read(ReadOnlySpan<byte> source, Span<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(MemoryMarshal.AsBytes(values));
            return;
        }
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
    }
}
