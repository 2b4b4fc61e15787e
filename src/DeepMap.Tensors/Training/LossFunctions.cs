using DeepMap.Tensors.Ops;

namespace DeepMap.Tensors.Training;

public static class LossFunctions
{
    public static Tensor Compute(Loss loss, Tensor prediction, Tensor target) => loss switch
    {
        Loss.MeanSquaredError => Op.MeanSquaredError(prediction, target),
        Loss.CrossEntropy => Op.CrossEntropy(prediction, target),
        Loss.BinaryCrossEntropy => Op.BinaryCrossEntropy(prediction, target),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    public static string Name(Loss loss) => loss switch
    {
        Loss.MeanSquaredError => "mse",
        Loss.CrossEntropy => "cross_entropy",
        Loss.BinaryCrossEntropy => "binary_cross_entropy",
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };
}
