namespace DeepMap.Tensors.Data;

/// <summary>An array read from an IDX file, every element type widened or narrowed to <see cref="float"/>.</summary>
/// <param name="Shape">The dimensions from the file header, outermost first.</param>
/// <param name="Data">The elements in row-major order.</param>
public sealed record IdxArray(int[] Shape, float[] Data);
