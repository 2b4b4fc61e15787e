namespace DeepMap.Tensors.Layers;

/// <summary>A trainable tensor with the name it is saved under ("layers.0.weight").</summary>
public sealed record Parameter(string Name, Tensor Value);
