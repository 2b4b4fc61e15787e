namespace DeepMap.Tensors.Training;

public enum Loss
{
    MeanSquaredError,

    /// <summary>From logits, against class indices [N] or distributions [N, C].</summary>
    CrossEntropy,

    /// <summary>From logits, against targets in [0, 1].</summary>
    BinaryCrossEntropy,
}
