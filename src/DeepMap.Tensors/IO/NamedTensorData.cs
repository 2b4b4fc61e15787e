namespace DeepMap.Tensors.IO;

/// <summary>A tensor's name, shape and row-major values, as stored in a checkpoint file.</summary>
/// <param name="Name">Unique within a file, e.g. <c>dense_1.kernel</c>.</param>
/// <param name="Shape">Dimensions, outermost first; empty for a scalar.</param>
/// <param name="Data">Row-major values, as many as the shape's product.</param>
public sealed record NamedTensorData(string Name, int[] Shape, float[] Data);
