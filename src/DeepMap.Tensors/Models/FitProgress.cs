namespace DeepMap.Tensors.Models;

/// <summary>
/// A progress report from <see cref="Sequential.Fit"/>: after each batch (<see cref="EpochMetrics"/> null) and at the
/// end of each epoch (with the epoch's metrics, validation included). A value, so reporting a step allocates nothing.
/// </summary>
public readonly record struct FitProgress(
    int Epoch,
    int Epochs,
    int Step,
    int StepsPerEpoch,
    double Loss,
    double SamplesPerSecond,
    IReadOnlyDictionary<string, double>? EpochMetrics);
