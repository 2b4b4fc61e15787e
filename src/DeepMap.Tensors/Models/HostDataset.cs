using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Models;

/// <summary>Samples kept on the host as row-major arrays, from which batches are gathered by row index.</summary>
internal sealed class HostDataset(float[] features, int[] featureShape, float[] targets, int[] targetShape, int offset, int rows)
{
    public float[] Features { get; } = features;

    public float[] Targets { get; } = targets;

    public int[] FeatureShape { get; } = featureShape;

    public int[] TargetShape { get; } = targetShape;

    public int FeatureLength { get; } = ShapeMath.Size(featureShape);

    public int TargetLength { get; } = ShapeMath.Size(targetShape);

    public int Offset { get; } = offset;

    public int Rows { get; } = rows;

    public static HostDataset From(Tensor x, Tensor y, int[] inputShape)
    {
        var features = FeaturesOf(x, inputShape);
        if (y.Shape[0] != x.Shape[0])
            throw new ArgumentException($"{x.Shape[0]} samples but {y.Shape[0]} targets");
        return new HostDataset(features, inputShape, y.ToArray(), y.Shape[1..], 0, x.Shape[0]);
    }

    public static float[] FeaturesOf(Tensor x, int[] inputShape)
    {
        if (x.Rank != inputShape.Length + 1 || !x.Shape.AsSpan(1).SequenceEqual(inputShape))
            throw new ArgumentException($"model expects inputs [N, {string.Join(", ", inputShape)}]; got {ShapeMath.Format(x.Shape)}");
        return x.ToArray();
    }

    /// <summary>A contiguous range of this dataset's rows, sharing its arrays.</summary>
    public HostDataset Slice(int start, int count) => new(Features, FeatureShape, Targets, TargetShape, Offset + start, count);

    /// <summary>The targets of the given rows, in order, for host-side metrics.</summary>
    /// <summary>The targets of the given rows, in order, into <paramref name="destination"/>.</summary>
    public void CopyTargetRows(ReadOnlySpan<int> rows, Span<float> destination)
    {
        for (var i = 0; i < rows.Length; i++)
            Targets.AsSpan((Offset + rows[i]) * TargetLength, TargetLength).CopyTo(destination[(i * TargetLength)..]);
    }
}
