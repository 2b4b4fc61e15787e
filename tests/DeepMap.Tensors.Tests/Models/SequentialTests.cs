using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Backends.Cpu;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Models;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Tests.Support;
using DeepMap.Tensors.Training;

namespace DeepMap.Tensors.Tests.Models;

public sealed class SequentialTests
{
    private static Sequential SmallCnn(IBackend backend, ulong seed = 7)
    {
        var model = new Sequential([1, 8, 8], seed, backend)
        {
            new Conv2D(4, 3, activation: Activation.Relu),
            new MaxPool2D(2),
            new Flatten(),
            new Dense(16, Activation.Relu),
            new Dropout(0.25),
            new Dense(3),
        };
        model.Compile(new Adam(0.01), Loss.CrossEntropy, Metric.Accuracy);
        return model;
    }

    private static (Tensor X, Tensor Y) Blobs(IBackend backend, int n, ulong seed)
    {
        // Three classes, each a bright square in a different corner, plus noise.
        var random = new Randomness.SeededRandom(seed);
        var x = new float[n * 64];
        var y = new float[n];
        for (var i = 0; i < n; i++)
        {
            var label = i % 3;
            y[i] = label;
            for (var p = 0; p < 64; p++) x[i * 64 + p] = (float)(random.NextDouble() * 0.3);
            int r0 = label == 0 ? 0 : 4, c0 = label == 1 ? 0 : 4;
            for (var r = r0; r < r0 + 4; r++)
                for (var c = c0; c < c0 + 4; c++) x[i * 64 + r * 8 + c] += 1;
        }
        return (Tensor.FromArray(backend, x, n, 1, 8, 8), Tensor.FromArray(backend, y, n));
    }

    [Fact]
    public void Training_is_bit_identical_on_one_and_two_threads()
    {
        byte[] Train(CpuBackend backend)
        {
            var model = SmallCnn(backend);
            var (x, y) = Blobs(backend, 96, 3);
            model.Fit(x, y, epochs: 2, batchSize: 16);
            return model.Parameters.SelectMany(p => p.Value.ToArray()).SelectMany(BitConverter.GetBytes).ToArray();
        }
        var one = Train(TestBackends.SingleThread);
        var two = Train(TestBackends.TwoThreads);
        Assert.Equal(one, two);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        var a = SmallCnn(TestBackends.TwoThreads, seed: 1).Parameters[0].Value.ToArray();
        var b = SmallCnn(TestBackends.TwoThreads, seed: 1).Parameters[0].Value.ToArray();
        var c = SmallCnn(TestBackends.TwoThreads, seed: 2).Parameters[0].Value.ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Initial_cross_entropy_of_ten_classes_is_about_ln_10()
    {
        var backend = TestBackends.TwoThreads;
        var model = new Sequential([784], seed: 3, backend) { new Dense(128, Activation.Relu), new Dense(10) };
        model.Compile(new Adam(), Loss.CrossEntropy);
        var x = Tensor.FromDoubles(backend, RandomArrays.Uniform(256 * 784, 0, 1, 4), 256, 784);
        var y = Tensor.FromDoubles(backend, RandomArrays.ClassIndices(256, 10, 5), 256);
        var loss = model.Evaluate(x, y).Loss;
        Assert.InRange(loss, Math.Log(10) - 0.3, Math.Log(10) + 0.3);
    }

    [Fact]
    public void A_model_overfits_twenty_samples()
    {
        var backend = TestBackends.TwoThreads;
        var model = new Sequential([20], seed: 9, backend) { new Dense(64, Activation.Tanh), new Dense(5) };
        model.Compile(new Adam(0.01), Loss.CrossEntropy, Metric.Accuracy);
        var x = Tensor.FromDoubles(backend, RandomArrays.Uniform(20 * 20, -1, 1, 6), 20, 20);
        var y = Tensor.FromDoubles(backend, RandomArrays.ClassIndices(20, 5, 7), 20);
        var history = model.Fit(x, y, epochs: 150, batchSize: 20);
        Assert.True(history["loss"][^1] < 0.01, $"final loss {history["loss"][^1]}");
        Assert.Equal(1.0, model.Evaluate(x, y)["accuracy"]);
    }

    [Fact]
    public void Fit_reports_keras_style_history_and_progress()
    {
        var backend = TestBackends.TwoThreads;
        var model = SmallCnn(backend);
        var (x, y) = Blobs(backend, 90, 4);
        var reports = new List<FitProgress>();
        var history = model.Fit(x, y, epochs: 3, batchSize: 20, validationSplit: 0.2, onProgress: reports.Add);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], history.Epochs[0].Keys);
        // 72 training rows in batches of 20: 4 steps per epoch, plus one epoch-end report.
        Assert.Equal(3 * 5, reports.Count);
        Assert.Equal(4, reports[0].StepsPerEpoch);
        Assert.NotNull(reports[4].EpochMetrics);
        Assert.True(history["val_accuracy"][^1] > 0.9, $"val accuracy {history["val_accuracy"][^1]}");
        Assert.True(history["loss"][^1] < history["loss"][0]);
    }

    [Fact]
    public void The_progress_printer_writes_one_line_per_epoch_with_every_metric_when_not_live()
    {
        var backend = TestBackends.TwoThreads;
        var model = SmallCnn(backend);
        var (x, y) = Blobs(backend, 60, 4);
        var output = new StringWriter();
        model.Fit(x, y, epochs: 2, batchSize: 20, validationSplit: 0.2, onProgress: ProgressPrinter.To(output, live: false));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^Epoch 1/2  3/3 steps  loss \d+\.\d{4}  accuracy \d\.\d{4}  val_loss \d+\.\d{4}  val_accuracy \d\.\d{4}  \d+ samples/s  \[\d+\.\d s\]$", lines[0]);
        Assert.StartsWith("Epoch 2/2", lines[1]);
    }

    [Fact]
    public void Predict_returns_one_row_per_sample_in_order()
    {
        var backend = TestBackends.TwoThreads;
        var model = SmallCnn(backend);
        var (x, _) = Blobs(backend, 300, 5);
        var all = model.Predict(x, batchSize: 128);
        Assert.Equal([300, 3], all.Shape);
        var single = model.Predict(DeepMap.Tensors.Ops.Op.Slice(x, 0, 257, 1)).ToArray();
        Assert.Equal(all.ToArray().AsSpan(257 * 3, 3).ToArray(), single);
    }

    [Fact]
    public void The_model_spec_round_trips_through_json_and_rebuilds_the_same_model()
    {
        var model = new Sequential([10, 4], seed: 3, TestBackends.TwoThreads)
        {
            new Lstm(8, returnSequences: true), new SimpleRnn(6), new Dense(4, Activation.Sigmoid), new Dropout(0.1),
            new ActivationLayer(Activation.Softmax),
        };
        var json = model.ToSpec().ToJson();
        Assert.Contains("\"type\":\"lstm\"", json);
        Assert.Contains("\"return_sequences\":true", json);
        var spec = ModelSpec.FromJson(json);
        Assert.Equal(model.ToSpec(), spec);
        var rebuilt = Sequential.FromSpec(spec, seed: 3, TestBackends.TwoThreads);
        Assert.Equal(model.Parameters.Select(p => p.Name), rebuilt.Parameters.Select(p => p.Name));
        Assert.Equal(model.Parameters[0].Value.ToArray(), rebuilt.Parameters[0].Value.ToArray());
        var cnn = SmallCnn(TestBackends.TwoThreads).ToSpec();
        Assert.Equal(cnn, ModelSpec.FromJson(cnn.ToJson()));
    }

    [Fact]
    public void Shape_inference_without_building_agrees_with_the_built_model()
    {
        var models = new[]
        {
            SmallCnn(TestBackends.SingleThread),
            new Sequential([10, 4], backend: TestBackends.SingleThread) { new Lstm(8, returnSequences: true), new SimpleRnn(6), new Dense(3) },
            new Sequential([5], backend: TestBackends.SingleThread) { new Embedding(20, 4), new Flatten(), new Dense(2, Activation.Softmax) },
            new Sequential([3, 9, 7], backend: TestBackends.SingleThread) { new Conv2D(2, 3, stride: 2, padding: Padding.Valid), new MaxPool2D(2), new Flatten() },
        };
        foreach (var model in models)
        {
            var shapes = model.ToSpec().Infer();
            Assert.Equal(model.OutputShape, shapes[^1].Output);
            Assert.Equal(model.ParameterCount, shapes.Sum(s => s.Parameters));
        }
        var bad = new ModelSpec([1, 4, 4], [new FlattenSpec(), new Conv2DSpec(3, 3)]);
        var e = Assert.Throws<ArgumentException>(() => bad.Infer());
        Assert.StartsWith("layer 1 (Conv2D): Conv2D expects inputs of rank 3", e.Message);
    }

    [Fact]
    public void Save_and_load_resume_training_exactly()
    {
        var backend = TestBackends.TwoThreads;
        var (x, y) = Blobs(backend, 64, 6);
        var uninterrupted = SmallCnn(backend);
        uninterrupted.Fit(x, y, epochs: 2, batchSize: 16);

        var first = SmallCnn(backend);
        first.Fit(x, y, epochs: 1, batchSize: 16);
        var path = Path.Combine(Path.GetTempPath(), $"deepmap-{Guid.NewGuid():N}.safetensors");
        try
        {
            first.Save(path);
            var resumed = Sequential.Load(path, backend);
            Assert.Equal(first.Optimizer!.Steps, resumed.Optimizer!.Steps);
            Assert.Equal(1, resumed.EpochsDone);
            resumed.Fit(x, y, epochs: 1, batchSize: 16);
            for (var i = 0; i < uninterrupted.Parameters.Count; i++)
                Assert.Equal(uninterrupted.Parameters[i].Value.ToArray(), resumed.Parameters[i].Value.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_layer_that_does_not_fit_its_input_is_refused_with_its_position()
    {
        var model = new Sequential([1, 28, 28], backend: TestBackends.SingleThread);
        var e = Assert.Throws<ArgumentException>(() => model.Add(new Dense(10)));
        Assert.Contains("layer 0 (Dense)", e.Message);
        Assert.Contains("Flatten", e.Message);
    }

    [Fact]
    public void Inputs_of_the_wrong_shape_are_refused_with_both_shapes()
    {
        var model = SmallCnn(TestBackends.SingleThread);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(Tensor.Zeros(TestBackends.SingleThread, 2, 1, 9, 8)));
        Assert.Contains("[N, 1, 8, 8]", e.Message);
        Assert.Contains("[2, 1, 9, 8]", e.Message);
    }

    [Fact]
    public void Training_before_compile_says_what_to_do()
    {
        var model = new Sequential([2], backend: TestBackends.SingleThread) { new Dense(1) };
        var x = Tensor.Zeros(TestBackends.SingleThread, 4, 2);
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, x, epochs: 1));
        Assert.Contains("Compile", e.Message);
    }
}
