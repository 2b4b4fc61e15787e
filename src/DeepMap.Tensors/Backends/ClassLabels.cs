namespace DeepMap.Tensors.Backends;

/// <summary>The one check every backend applies to class indices stored as floats (cross-entropy targets, embedding ids).</summary>
internal static class ClassLabels
{
    public static int Index(double label, int classes, int row)
    {
        var index = (int)label;
        if (index != label || index < 0 || index >= classes)
            throw new ArgumentException($"target of row {row} is {label}, not a class index in [0, {classes})");
        return index;
    }
}
