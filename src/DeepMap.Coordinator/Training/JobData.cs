using DeepMap.Protocol.Jobs;
using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Data;

namespace DeepMap.Coordinator.Training;

/// <summary>Samples as row-major host arrays: features [Rows, ...FeatureShape], targets [Rows, ...TargetShape].</summary>
public sealed record SampleSet(float[] Features, float[] Targets, int Rows, int[] FeatureShape, int[] TargetShape)
{
    public int FeatureLength => ShapeMath.Size(FeatureShape);

    public int TargetLength => ShapeMath.Size(TargetShape);

    public SampleSet Take(IReadOnlyList<int> rows) => new(
        TrainTestSplit.Gather(Features, FeatureLength, rows.ToArray()),
        TrainTestSplit.Gather(Targets, TargetLength, rows.ToArray()),
        rows.Count, FeatureShape, TargetShape);

    public Tensors.Tensor FeaturesTensor(IBackend backend) => Tensors.Tensor.FromArray(backend, Features, [Rows, .. FeatureShape]);

    public Tensors.Tensor TargetsTensor(IBackend backend) => Tensors.Tensor.FromArray(backend, Targets, [Rows, .. TargetShape]);

    /// <summary>The model's loss ("loss") and metrics on these samples.</summary>
    public Dictionary<string, double> Evaluate(Tensors.Models.Sequential model)
    {
        var result = model.Evaluate(FeaturesTensor(model.Backend), TargetsTensor(model.Backend));
        var values = new Dictionary<string, double> { ["loss"] = result.Loss };
        foreach (var (name, value) in result.Metrics) values[name] = value;
        return values;
    }
}

/// <summary>
/// A job's training, validation and test samples, loaded and scaled the way the spec says: the test set from the
/// test files or a seeded split, validation as the last fraction of the training rows (as Keras), and scaling fitted
/// on the training rows only.
/// </summary>
public sealed record JobData(SampleSet Train, SampleSet? Validation, SampleSet Test)
{
    public static JobData Load(ValidatedJob job)
    {
        var spec = job.Spec;
        var input = spec.Model.Input;
        SampleSet all, test;
        if (spec.Data.Format == DataFormat.Csv)
        {
            var table = CsvFile.Read(job.Data.Primary, spec.Data.Target!);
            all = new SampleSet(table.Features, table.Target, table.Rows, input, [1]);
            (all, test) = Split(all, spec.Data.TestSplit, spec.Seed);
        }
        else
        {
            all = FromIdx(job.Data.Primary, job.Data.Labels!, input);
            if (job.Data.TestImages is not null) test = FromIdx(job.Data.TestImages, job.Data.TestLabels!, input);
            else (all, test) = Split(all, spec.Data.TestSplit, spec.Seed);
        }
        SampleSet? validation = null;
        if (spec.Data.ValidationSplit > 0)
        {
            var validationRows = (int)Math.Round(all.Rows * spec.Data.ValidationSplit);
            validation = all.Take(Enumerable.Range(all.Rows - validationRows, validationRows).ToArray());
            all = all.Take(Enumerable.Range(0, all.Rows - validationRows).ToArray());
        }
        Scale(spec.Data.Scale, all, validation, test);
        return new JobData(all, validation, test);
    }

    private static (SampleSet Train, SampleSet Test) Split(SampleSet all, double testFraction, ulong seed)
    {
        var (train, test) = TrainTestSplit.Indices(all.Rows, testFraction, seed);
        return (all.Take(train), all.Take(test));
    }

    private static SampleSet FromIdx(string images, string labels, int[] input)
    {
        var x = IdxFile.Read(images);
        var y = IdxFile.Read(labels);
        return new SampleSet(x.Data, y.Data, x.Shape[0], input, []);
    }

    private static void Scale(Scaling scaling, SampleSet train, SampleSet? validation, SampleSet test)
    {
        switch (scaling)
        {
            case Scaling.Standard:
                var scaler = StandardScaler.Fit(train.Features, train.FeatureLength);
                scaler.Transform(train.Features);
                if (validation is not null) scaler.Transform(validation.Features);
                scaler.Transform(test.Features);
                break;
            case Scaling.Unit:
                // The same division as FashionMnist.Load, so a job and the library alone see the same bits.
                foreach (var set in new[] { train, validation, test })
                    if (set is not null)
                        for (var i = 0; i < set.Features.Length; i++) set.Features[i] /= 255f;
                break;
        }
    }
}
