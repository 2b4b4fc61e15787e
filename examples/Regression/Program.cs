// Regression on a numeric CSV (Boston housing by default): the classic Keras example in C#.
//
//   dotnet run --project examples/Regression -c Release -- [FILE.csv] [--target COLUMN] [--epochs N]
//
// Reads FILE.csv (header row, numbers only), holds out 20% of the rows as a test set (seed 42), standardizes the
// features with statistics of the training rows only, trains Dense 64 ReLU → Dense 64 ReLU → Dense 1 with Adam and MSE,
// then reports the test MSE and MAE and a few predictions.

using System.Globalization;
using DeepMap.Tensors;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

const string DefaultFile = "boston_housing.csv";
const ulong Seed = 42;

string? path = null;
var target = "MEDV";
var epochs = 10;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--target" when i + 1 < args.Length:
            target = args[++i];
            break;
        case "--epochs" when i + 1 < args.Length:
            if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out epochs) || epochs <= 0)
                return Fail($"--epochs: '{args[i]}' is not a positive whole number");
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: Regression [FILE.csv] [--target COLUMN] [--epochs N]");
            Console.WriteLine($"  FILE.csv   numeric CSV with a header row (default examples/data/{DefaultFile})");
            Console.WriteLine("  --target   the column to predict (default MEDV)");
            Console.WriteLine("  --epochs   training epochs (default 10)");
            return 0;
        case var a when a.StartsWith('-'):
            return Fail($"unknown or incomplete option '{a}' (try --help)");
        case var a when path is null:
            path = a;
            break;
        default:
            return Fail($"unexpected argument '{args[i]}' (try --help)");
    }
}
path ??= FindDefaultData();
if (Directory.Exists(path)) return Fail($"{path} is a directory, expected a CSV file");

CsvTable table;
try
{
    table = CsvFile.Read(path, target);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or FormatException)
{
    return Fail(e.Message);
}
var columns = table.FeatureNames.Length;
if (columns == 0) return Fail($"{path}: no feature columns besides '{target}'");
if (table.Rows < 10) return Fail($"{path}: {table.Rows} data rows, too few to split into training and test sets");
Console.WriteLine($"{path}: {table.Rows} rows, {columns} features, target '{table.TargetName}'");

// 80/20 split, then scale with the training rows' statistics only, so nothing about the test rows leaks into training.
var (trainRows, testRows) = TrainTestSplit.Indices(table.Rows, 0.2, Seed);
var xTrain = TrainTestSplit.Gather(table.Features, columns, trainRows);
var xTest = TrainTestSplit.Gather(table.Features, columns, testRows);
var yTrain = TrainTestSplit.Gather(table.Target, 1, trainRows);
var yTest = TrainTestSplit.Gather(table.Target, 1, testRows);
var scaler = StandardScaler.Fit(xTrain, columns);
scaler.Transform(xTrain);
scaler.Transform(xTest);
Console.WriteLine($"train {trainRows.Length} rows, test {testRows.Length} rows");

var model = new Sequential([columns], seed: Seed)
{
    new Dense(64, Activation.Relu),
    new Dense(64, Activation.Relu),
    new Dense(1),
};
model.Compile(new Adam(learningRate: 0.001), Loss.MeanSquaredError, Metric.MeanAbsoluteError);

var trainX = Tensor.FromArray(xTrain, trainRows.Length, columns);
var trainY = Tensor.FromArray(yTrain, trainRows.Length, 1);
var testX = Tensor.FromArray(xTest, testRows.Length, columns);
var testY = Tensor.FromArray(yTest, testRows.Length, 1);

model.Fit(trainX, trainY, epochs: epochs, batchSize: 32, validationSplit: 0.1, onProgress: ProgressPrinter.ToConsole());

var test = model.Evaluate(testX, testY);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test MSE {test.Loss:F4}  MAE {test["mae"]:F4}"));

var predicted = model.Predict(testX).ToArray();
Console.WriteLine($"First test rows ({table.TargetName}):");
for (var r = 0; r < Math.Min(5, testRows.Length); r++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  row {testRows[r],4}: predicted {predicted[r],8:F2}  actual {yTest[r],8:F2}"));
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}

// examples/data/boston_housing.csv relative to the working directory (the repository root, or an example's folder)
// or to the built program, so `dotnet run` works from anywhere inside the repository.
static string FindDefaultData()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "data", DefaultFile);
            if (!File.Exists(candidate)) continue;
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate);
            return relative.StartsWith("..", StringComparison.Ordinal) ? candidate : relative;
        }
    }
    return Path.Combine("examples", "data", DefaultFile);
}
