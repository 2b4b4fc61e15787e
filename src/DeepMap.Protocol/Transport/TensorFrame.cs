using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using DeepMap.Protocol.Messaging;

namespace DeepMap.Protocol.Transport;

/// <summary>
/// One message on the tensor data channel (a data-plane request, or a message carrying tensors):
/// [u32 magic "DMT1"][u8 recipient][u8 encoding][u16 manifest bytes][i32 JSON bytes][i32 arrays][manifest][JSON]
/// ([i32 values][values, 4 or 2 bytes each])*, little-endian. The fields are <see cref="ProtocolCodec"/>'s; the arrays
/// are written straight from the message's arrays and read straight into new ones. Every length is checked against a
/// small limit before anything is allocated, so a forged frame costs at most one chunk.
/// </summary>
public static class TensorFrame
{
    public const uint Magic = 0x31544D44;
    public const int HeaderBytes = 16;
    public const int MaxManifestBytes = 128;
    public const int MaxJsonBytes = 64 * 1024;
    public const int MaxArrayValues = Chunking.ChunkFloats;

    /// <summary>Writes one frame; <paramref name="scratch"/> is the caller's reusable buffer for the header and for half-precision values.</summary>
    public static void Write(Stream stream, TensorRecipient recipient, IDeepMapMessage message, WireEncoding encoding, ref byte[] scratch)
    {
        var manifest = Encoding.UTF8.GetBytes(ProtocolCodec.Manifest(message));
        var json = ProtocolCodec.Fields(message);
        var arrays = (message as ITensorMessage)?.Tensors ?? [];
        var head = HeaderBytes + manifest.Length + json.Length;
        Grow(ref scratch, head);
        var span = scratch.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        span[4] = (byte)recipient;
        span[5] = (byte)encoding;
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], (ushort)manifest.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], json.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], arrays.Count);
        manifest.CopyTo(span[HeaderBytes..]);
        json.CopyTo(span[(HeaderBytes + manifest.Length)..]);
        stream.Write(span[..head]);
        Span<byte> length = stackalloc byte[4];
        foreach (var values in arrays)
        {
            if (values.Length > MaxArrayValues) throw new ArgumentException($"an array of {values.Length} values; the data channel carries at most {MaxArrayValues} per array (cut it with Chunking)");
            BinaryPrimitives.WriteInt32LittleEndian(length, values.Length);
            stream.Write(length);
            if (encoding == WireEncoding.Float32)
            {
                stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
                continue;
            }
            Grow(ref scratch, 2 * values.Length);
            var halves = MemoryMarshal.Cast<byte, Half>(scratch.AsSpan(0, 2 * values.Length));
            TensorPrimitives.ConvertToHalf(values, halves);
            stream.Write(scratch.AsSpan(0, 2 * values.Length));
        }
    }

    /// <summary>
    /// Reads one frame, or returns null when the peer closed the connection between frames. A frame that breaks the
    /// format or its limits throws <see cref="InvalidDataException"/>; the connection cannot be trusted after it.
    /// </summary>
    public static (TensorRecipient Recipient, IDeepMapMessage Message)? Read(Stream stream, ref byte[] scratch)
    {
        Grow(ref scratch, HeaderBytes);
        var header = scratch.AsSpan(0, HeaderBytes);
        if (stream.Read(header[..1]) == 0) return null;
        stream.ReadExactly(header[1..]);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic) throw new InvalidDataException("not a DeepMap data-channel frame (bad magic)");
        var recipient = (TensorRecipient)header[4];
        var encoding = (WireEncoding)header[5];
        if (!Enum.IsDefined(recipient)) throw new InvalidDataException($"unknown recipient {header[4]}");
        if (!Enum.IsDefined(encoding)) throw new InvalidDataException($"unknown encoding {header[5]}");
        int manifestLength = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (manifestLength is 0 or > MaxManifestBytes) throw new InvalidDataException($"a manifest of {manifestLength} bytes (at most {MaxManifestBytes})");
        if (jsonLength is <= 0 or > MaxJsonBytes) throw new InvalidDataException($"fields of {jsonLength} bytes (at most {MaxJsonBytes})");
        Grow(ref scratch, manifestLength + jsonLength);
        var text = scratch.AsSpan(0, manifestLength + jsonLength);
        stream.ReadExactly(text);
        var manifest = Encoding.UTF8.GetString(text[..manifestLength]);
        object message;
        try
        {
            message = ProtocolCodec.FromFields(manifest, text[manifestLength..]);
        }
        catch (System.Runtime.Serialization.SerializationException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        if (count != ProtocolCodec.ArrayCount(message)) throw new InvalidDataException($"{manifest}: carries {ProtocolCodec.ArrayCount(message)} arrays, got {count}");
        var arrays = new float[count][];
        Span<byte> length = stackalloc byte[4];
        for (var i = 0; i < count; i++)
        {
            stream.ReadExactly(length);
            var values = BinaryPrimitives.ReadInt32LittleEndian(length);
            if (values < 0 || values > MaxArrayValues) throw new InvalidDataException($"{manifest}: array {i} claims {values} values (at most {MaxArrayValues})");
            arrays[i] = ChunkPool.Rent(values);
            if (encoding == WireEncoding.Float32)
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(arrays[i].AsSpan()));
                continue;
            }
            Grow(ref scratch, 2 * values);
            stream.ReadExactly(scratch.AsSpan(0, 2 * values));
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(scratch.AsSpan(0, 2 * values)), arrays[i]);
        }
        return (recipient, message is ITensorMessage tensorMessage ? tensorMessage.WithTensors(arrays) : (IDeepMapMessage)message);
    }

    private static void Grow(ref byte[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new byte[Math.Max(size, 2 * buffer.Length)];
    }
}
