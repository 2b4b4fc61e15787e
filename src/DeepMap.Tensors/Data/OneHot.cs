namespace DeepMap.Tensors.Data;

/// <summary>Class labels to one-hot rows, the target layout a softmax cross-entropy loss expects.</summary>
public static class OneHot
{
    /// <summary>One row of <paramref name="classes"/> values per label: 1 at the label's index, 0 elsewhere.</summary>
    /// <param name="labels">Class indices stored as floats, as IDX and CSV readers return them.</param>
    /// <param name="classes">The number of classes, the length of each row.</param>
    public static float[] Encode(ReadOnlySpan<float> labels, int classes)
    {
        if (classes <= 0) throw new ArgumentException($"classes is {classes}, expected a positive number", nameof(classes));
        var result = new float[checked(labels.Length * classes)];
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            // A fractional label means the wrong column was picked as target; truncating it would train on noise.
            if (!(label >= 0 && label < classes) || label != MathF.Floor(label))
                throw new ArgumentException($"labels[{i}] is {label}, expected an integer in [0, {classes})", nameof(labels));
            result[i * classes + (int)label] = 1;
        }
        return result;
    }
}
