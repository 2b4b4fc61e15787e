// Fashion-MNIST with an MLP or a small convolutional network.
//
//   dotnet run --project examples/FashionMnist -c Release -- [--model mlp|cnn] [--epochs N] [--data DIR] [--save FILE.safetensors]
//
// mlp: 784 → dense 256 ReLU → dense 128 ReLU → dense 10 (10 epochs by default).
// cnn: conv 32 3×3 ReLU → max-pool → conv 64 3×3 ReLU → max-pool → flatten → dense 128 ReLU → dropout 0.3 → dense 10
//      (8 epochs by default).
// Adam 1e-3 and cross-entropy on all 60 000 training images. After each epoch the model is scored on the 10 000 test
// images; the epoch count is fixed, so nothing is tuned on them.

using System.Diagnostics;
using System.Globalization;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

var network = "cnn";
int? epochOption = null;
var batchSize = 64;
var dataDir = FashionMnist.DefaultDirectory;
string? savePath = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" when i + 1 < args.Length:
            network = args[++i];
            if (network is not ("mlp" or "cnn")) return Fail($"--model: '{network}' is not mlp or cnn");
            break;
        case "--epochs" when i + 1 < args.Length:
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var e) || e <= 0)
                return Fail($"--epochs: '{args[i]}' is not a positive whole number");
            epochOption = e;
            break;
        case "--batch" when i + 1 < args.Length:
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out batchSize) || batchSize <= 0)
                return Fail($"--batch: '{args[i]}' is not a positive whole number");
            break;
        case "--data" when i + 1 < args.Length:
            dataDir = args[++i];
            break;
        case "--save" when i + 1 < args.Length:
            savePath = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: FashionMnist [--model mlp|cnn] [--epochs N] [--batch N] [--data DIR] [--save FILE.safetensors]");
            Console.WriteLine("  --model   mlp or cnn (default cnn)");
            Console.WriteLine("  --epochs  training epochs (default 10 for mlp, 8 for cnn)");
            Console.WriteLine($"  --batch   batch size (default {batchSize})");
            Console.WriteLine($"  --data    directory of the four IDX files (default {FashionMnist.DefaultDirectory})");
            Console.WriteLine("  --save    write the trained model (weights, optimizer state, spec) as safetensors");
            return 0;
        default:
            return Fail($"unknown or incomplete option '{args[i]}' (try --help)");
    }
}

// Fail now rather than after training when the model could not be saved.
if (savePath is not null && Path.GetDirectoryName(Path.GetFullPath(savePath)) is { } saveDir && !Directory.Exists(saveDir))
    return Fail($"--save: directory {saveDir} does not exist");

var epochs = epochOption ?? (network == "mlp" ? 10 : 8);
FashionMnist data;
try
{
    data = FashionMnist.Load(dataDir, network == "mlp" ? ImageLayout.Flat : ImageLayout.Channels);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    return Fail(e.Message);
}
Console.WriteLine($"Fashion-MNIST: {data.TrainImages.Shape[0]} training and {data.TestImages.Shape[0]} test images from {dataDir}");

var model = network == "mlp"
    ? new Sequential([784], seed: 42)
    {
        new Dense(256, Activation.Relu),
        new Dense(128, Activation.Relu),
        new Dense(10),
    }
    : new Sequential([1, 28, 28], seed: 42)
    {
        new Conv2D(32, 3, activation: Activation.Relu),
        new MaxPool2D(2),
        new Conv2D(64, 3, activation: Activation.Relu),
        new MaxPool2D(2),
        new Flatten(),
        new Dense(128, Activation.Relu),
        new Dropout(0.3),
        new Dense(10),
    };
model.Compile(new Adam(learningRate: 1e-3), Loss.CrossEntropy, Metric.Accuracy);
Console.WriteLine($"{model.ParameterCount:N0} parameters, {epochs} epoch{(epochs == 1 ? "" : "s")} of batch {batchSize}, {Environment.ProcessorCount} cores");

var total = Stopwatch.StartNew();
var history = model.Fit(data.TrainImages, data.TrainLabels, epochs, batchSize, validationData: (data.TestImages, data.TestLabels),
    onProgress: ProgressPrinter.ToConsole());
total.Stop();

var accuracy = history["val_accuracy"][^1];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Test accuracy {accuracy:F4} on all {data.TestImages.Shape[0]} test images after {epochs} epoch{(epochs == 1 ? "" : "s")} " +
    $"({total.Elapsed.TotalSeconds:F1} s, {total.Elapsed.TotalSeconds / epochs:F1} s per epoch with evaluation)"));

if (savePath is not null)
{
    try
    {
        model.Save(savePath);
        var reloaded = Sequential.Load(savePath).Evaluate(data.TestImages, data.TestLabels);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Saved {savePath}; reloaded test accuracy {reloaded["accuracy"]:F4}"));
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return Fail(e.Message);
    }
}
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}
