namespace DeepMap.Tensors.Training;

public enum Metric
{
    Accuracy,
    MeanAbsoluteError,
}
