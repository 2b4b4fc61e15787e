namespace DeepMap.Tensors.Data;

/// <summary>A numeric CSV table split into a feature matrix and one target column.</summary>
/// <param name="FeatureNames">Every column except the target, in file order.</param>
/// <param name="TargetName">The column chosen as target.</param>
/// <param name="Features">Row-major, <paramref name="Rows"/> × <c>FeatureNames.Length</c>.</param>
/// <param name="Target">One value per row.</param>
/// <param name="Rows">The number of data rows, not counting the header.</param>
public sealed record CsvTable(string[] FeatureNames, string TargetName, float[] Features, float[] Target, int Rows);
