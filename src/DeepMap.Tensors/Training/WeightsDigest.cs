using System.Security.Cryptography;
using DeepMap.Tensors.IO;
using DeepMap.Tensors.Layers;

namespace DeepMap.Tensors.Training;

/// <summary>
/// SHA-256 of a model's weights in canonical safetensors form (tensors sorted by name, no metadata): two runs that
/// end with the same bits have the same digest, whatever produced them.
/// </summary>
public static class WeightsDigest
{
    public static string Sha256(IReadOnlyList<Parameter> parameters)
    {
        var tensors = parameters
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new NamedTensorData(p.Name, p.Value.Shape, p.Value.ToArray()))
            .ToList();
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, tensors);
        return Convert.ToHexStringLower(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
    }
}
