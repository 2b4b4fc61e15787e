using System.Text.Json;
using System.Text.Json.Serialization;
using DeepMap.Tensors.Layers;

namespace DeepMap.Tensors.Models;

/// <summary>A model's input shape (without the batch axis) and layers: what another process needs to rebuild it.</summary>
public sealed record ModelSpec(int[] Input, IReadOnlyList<LayerSpec> Layers)
{
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Each layer's output shape and the parameter count, without building anything; the first layer that
    /// cannot take its input throws an ArgumentException naming it.</summary>
    public IReadOnlyList<LayerShape> Infer()
    {
        var shapes = new List<LayerShape>();
        var shape = Input;
        for (var i = 0; i < Layers.Count; i++)
        {
            try
            {
                var s = Layers[i].Infer(shape);
                shapes.Add(s);
                shape = s.Output;
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"layer {i} ({Layers[i].GetType().Name.Replace("Spec", "")}): {e.Message}", e);
            }
        }
        return shapes;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ModelSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ModelSpec>(json, JsonOptions) ?? throw new JsonException("model spec is empty");

    public bool Equals(ModelSpec? other) =>
        other is not null && Input.AsSpan().SequenceEqual(other.Input) && Layers.SequenceEqual(other.Layers);

    public override int GetHashCode() => HashCode.Combine(Input.Length, Layers.Count);
}
