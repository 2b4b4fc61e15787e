using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Tests.Support;
using DeepMap.Tensors.Training;
using Xunit.Abstractions;

namespace DeepMap.Tensors.Tests.Learning;

/// <summary>
/// Real learning on Fashion-MNIST, scored on the full 10 000-image test set. Epochs are sized to keep the suite inside
/// CI's budget on two cores; the examples train longer for the headline numbers.
/// </summary>
public sealed class FashionMnistLearningTests(FashionMnistFixture data, ITestOutputHelper output) : IClassFixture<FashionMnistFixture>
{
    private readonly IBackend _backend = TestBackends.TwoThreads;

    private double TrainAndTest(Sequential model, int[] shape, int epochs, int batchSize)
    {
        var (x, y) = data.Train(shape);
        var history = model.Fit(x, y, epochs, batchSize);
        var (tx, ty) = data.Test(shape);
        var accuracy = model.Evaluate(tx, ty)["accuracy"];
        output.WriteLine($"train loss by epoch: {string.Join(", ", history["loss"].Select(l => l.ToString("F4")))}; test accuracy {accuracy:F4}");
        return accuracy;
    }

    [Fact]
    public void An_mlp_reaches_85_percent_test_accuracy()
    {
        var model = new Sequential([784], seed: 1, _backend) { new Dense(128, Activation.Relu), new Dense(10) };
        model.Compile(new Adam(1e-3), Loss.CrossEntropy, Metric.Accuracy);
        Assert.True(TrainAndTest(model, [784], epochs: 3, batchSize: 64) >= 0.85);
    }

    [Fact]
    public void A_small_cnn_reaches_87_percent_test_accuracy()
    {
        var model = new Sequential([1, 28, 28], seed: 1, _backend)
        {
            new Conv2D(16, 3, activation: Activation.Relu), new MaxPool2D(2),
            new Conv2D(32, 3, activation: Activation.Relu), new MaxPool2D(2),
            new Flatten(), new Dense(64, Activation.Relu), new Dense(10),
        };
        model.Compile(new Adam(1e-3), Loss.CrossEntropy, Metric.Accuracy);
        Assert.True(TrainAndTest(model, [1, 28, 28], epochs: 3, batchSize: 64) >= 0.87);
    }

    [Fact]
    public void An_lstm_reading_rows_as_time_steps_reaches_80_percent_test_accuracy()
    {
        var model = new Sequential([28, 28], seed: 1, _backend) { new Lstm(64), new Dense(10) };
        model.Compile(new Adam(2e-3), Loss.CrossEntropy, Metric.Accuracy);
        Assert.True(TrainAndTest(model, [28, 28], epochs: 1, batchSize: 64) >= 0.80);
    }
}
