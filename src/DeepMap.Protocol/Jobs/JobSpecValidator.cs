using DeepMap.Protocol.Messaging;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Data;
using DeepMap.Tensors.Layers;
using DeepMap.Tensors.Optimizers;
using DeepMap.Tensors.Training;

namespace DeepMap.Protocol.Jobs;

/// <summary>
/// The checks a parsed spec must pass before a job is queued: the layers fit together, the loss fits the output, the
/// data files exist under the data roots and match the model's input, the cluster settings make sense, and the
/// parameters with their optimizer state fit in memory. Reads only file headers.
/// </summary>
public sealed class JobSpecValidator(DataRoots roots, long memoryLimitBytes)
{
    /// <summary>Checks against the memory this process may use: the machine's, or its container's limit.</summary>
    public JobSpecValidator(DataRoots roots)
        : this(roots, AvailableMemoryBytes)
    {
    }

    public static long AvailableMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Returns what the job will train on, or throws a <see cref="JobSpecException"/> with the field's path.</summary>
    public ValidatedJob Validate(JobSpec spec)
    {
        var shapes = InferShapes(spec);
        var output = shapes.Count == 0 ? spec.Model.Input : shapes[^1].Output;
        var parameters = shapes.Sum(s => s.Parameters);
        CheckSampleSize(spec);
        CheckLoss(spec, output);
        CheckCluster(spec, parameters);
        CheckMemory(spec, parameters);
        return new ValidatedJob(spec, ResolveData(spec), output, parameters);
    }

    private static List<LayerShape> InferShapes(JobSpec spec)
    {
        var shapes = new List<LayerShape>();
        var shape = spec.Model.Input;
        for (var i = 0; i < spec.Model.Layers.Count; i++)
        {
            try
            {
                var s = spec.Model.Layers[i].Infer(shape);
                shapes.Add(s);
                shape = s.Output;
            }
            catch (ArgumentException e)
            {
                throw new JobSpecException($"model.layers[{i}]", e.Message);
            }
        }
        return shapes;
    }

    private static void CheckLoss(JobSpec spec, int[] output)
    {
        var last = ShapeMath.Format(output);
        switch (spec.Loss)
        {
            case Loss.CrossEntropy when output.Length != 1 || output[0] < 2:
                throw new JobSpecException("loss", $"cross_entropy needs the model to end in [classes] with at least 2 classes; it ends in {last}");
            case Loss.BinaryCrossEntropy or Loss.MeanSquaredError when spec.Data.Format == DataFormat.Csv && ShapeMath.Size(output) != 1:
                throw new JobSpecException("loss", $"{(spec.Loss == Loss.MeanSquaredError ? "mse" : "binary_cross_entropy")} against the one target column needs the model to end in [1]; it ends in {last}");
        }
        if (spec.Model.Layers[^1] is DenseSpec { Activation: Activation.Softmax } && spec.Loss == Loss.CrossEntropy)
            throw new JobSpecException($"model.layers[{spec.Model.Layers.Count - 1}].dense.activation",
                "cross_entropy works on logits: drop the softmax from the last layer (the loss applies it, stably)");
    }

    private static void CheckCluster(JobSpec spec, long parameters)
    {
        if (spec.BatchSize < spec.Partitions)
            throw new JobSpecException("batch_size", $"a global batch of {spec.BatchSize} cannot give each of {spec.Partitions} partitions a sample");
        if (spec.Backup > 0 && spec.Consistency != Consistency.Sync)
            throw new JobSpecException("backup", "backup partitions close synchronous steps; with consistency: async or bounded no step waits for all partitions");
        if (spec.Staleness > 0 && spec.Consistency != Consistency.Bounded)
            throw new JobSpecException("staleness", "staleness bounds consistency: bounded; set consistency: bounded or drop it");
        if (spec.Backup >= spec.Partitions)
            throw new JobSpecException("backup", $"{spec.Backup} backup partitions of {spec.Partitions} would leave no partition to close a step; use at most {spec.Partitions - 1}");
        if (spec.PsShards > parameters)
            throw new JobSpecException("ps_shards", $"{spec.PsShards} shards for {parameters} parameters would leave shards empty");
    }

    private void CheckMemory(JobSpec spec, long parameters)
    {
        // Weights, gradients and the optimizer's per-parameter slots, float32 each.
        var copies = 2 + spec.Optimizer switch { AdamSpec => 2, MomentumSpec => 1, _ => 0 };
        var bytes = parameters * copies * 4;
        if (bytes > memoryLimitBytes)
            throw new JobSpecException("model",
                $"{parameters:N0} parameters need {Gib(bytes)} for weights, gradients and optimizer state ({copies} copies), over the {Gib(memoryLimitBytes)} limit");
    }

    /// <summary>A partition's rows reach its node in pieces of whole samples, each piece at most one chunk.</summary>
    private static void CheckSampleSize(JobSpec spec)
    {
        var size = ShapeMath.Size(spec.Model.Input);
        if (size > Chunking.ChunkFloats)
            throw new JobSpecException("model.input",
                $"a sample of {ShapeMath.Format(spec.Model.Input)} is {size:N0} values; samples travel to the workers whole, in pieces of at most {Chunking.ChunkFloats:N0} values");
    }

    private static string Gib(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.##} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.##} MiB",
        _ => $"{bytes / 1024.0:0.##} KiB",
    };

    private ResolvedData ResolveData(JobSpec spec)
    {
        var data = spec.Data;
        var inputSize = ShapeMath.Size(spec.Model.Input);
        if (data.Format == DataFormat.Csv)
        {
            var path = roots.Resolve(data.Path!, "data.path");
            var header = ReadHeader(path);
            if (!header.Contains(data.Target!))
                throw new JobSpecException("data.target", $"no column '{data.Target}' in {data.Path}; its columns are {string.Join(", ", header)}");
            var features = header.Length - 1;
            if (spec.Model.Input.Length != 1 || spec.Model.Input[0] != features)
                throw new JobSpecException("model.input", $"{data.Path} has {features} feature columns besides '{data.Target}'; model.input is {ShapeMath.Format(spec.Model.Input)}, expected [{features}]");
            return new ResolvedData(path, null, null, null);
        }
        var trainImages = roots.Resolve(data.TrainImages!, "data.train_images");
        var trainLabels = roots.Resolve(data.TrainLabels!, "data.train_labels");
        CheckImages(trainImages, trainLabels, "data.train_images", "data.train_labels", inputSize, spec);
        string? testImages = null, testLabels = null;
        if (data.TestImages is not null)
        {
            testImages = roots.Resolve(data.TestImages, "data.test_images");
            testLabels = roots.Resolve(data.TestLabels!, "data.test_labels");
            CheckImages(testImages, testLabels, "data.test_images", "data.test_labels", inputSize, spec);
        }
        return new ResolvedData(trainImages, trainLabels, testImages, testLabels);
    }

    private static void CheckImages(string images, string labels, string imagesPath, string labelsPath, int inputSize, JobSpec spec)
    {
        var imageShape = ReadIdxShape(images, imagesPath);
        var labelShape = ReadIdxShape(labels, labelsPath);
        var perSample = ShapeMath.Size(imageShape.AsSpan(1));
        if (perSample != inputSize)
            throw new JobSpecException("model.input", $"samples of {Path.GetFileName(images)} are {ShapeMath.Format(imageShape[1..])} ({perSample} values); model.input is {ShapeMath.Format(spec.Model.Input)} ({inputSize})");
        if (labelShape.Length != 1 || labelShape[0] != imageShape[0])
            throw new JobSpecException(labelsPath, $"{Path.GetFileName(labels)} holds {ShapeMath.Format(labelShape)} labels for {imageShape[0]} images");
    }

    private static int[] ReadIdxShape(string path, string specPath)
    {
        try
        {
            return IdxFile.ReadShape(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new JobSpecException(specPath, e.Message);
        }
    }

    private static string[] ReadHeader(string path)
    {
        using var reader = new StreamReader(path);
        var line = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(line)) throw new JobSpecException("data.path", $"{Path.GetFileName(path)} is empty; a header row is needed");
        return line.Split(',').Select(c => c.Trim().Trim('"')).ToArray();
    }
}

/// <summary>A job that passed validation: the spec, its data files, the model's output shape and parameter count.</summary>
public sealed record ValidatedJob(JobSpec Spec, ResolvedData Data, int[] OutputShape, long Parameters);

/// <summary>Full paths of a job's data files: the CSV (in <see cref="Primary"/>) or the IDX training and test files.</summary>
public sealed record ResolvedData(string Primary, string? Labels, string? TestImages, string? TestLabels);
