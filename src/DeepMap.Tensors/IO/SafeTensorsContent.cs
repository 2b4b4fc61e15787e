namespace DeepMap.Tensors.IO;

/// <summary>What a safetensors file holds.</summary>
/// <param name="Tensors">In the order the file's header lists them.</param>
/// <param name="Metadata">The header's <c>__metadata__</c> entries; empty when it has none.</param>
/// <param name="Source">Names the file in the error <see cref="Get"/> throws.</param>
public sealed record SafeTensorsContent(
    IReadOnlyList<NamedTensorData> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    string Source = "safetensors content")
{
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public NamedTensorData Get(string name)
    {
        foreach (var tensor in Tensors)
        {
            if (tensor.Name == name) return tensor;
        }
        throw new KeyNotFoundException(
            $"{Source}: no tensor '{name}'; it holds {string.Join(", ", Tensors.Select(t => $"'{t.Name}'"))}");
    }
}
