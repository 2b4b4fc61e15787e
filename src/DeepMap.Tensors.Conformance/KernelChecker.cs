using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Conformance;

/// <summary>
/// Runs a <see cref="KernelCase"/> on a backend and on its oracle and compares every buffer afterwards (outputs, and
/// inputs that should be untouched). Returns the first mismatch as one line, or null: the xUnit suite throws it, the
/// GPU check prints it.
/// </summary>
public sealed class KernelChecker(IBackend reference, IBackend cpu)
{
    public string? Check(IBackend backend, KernelCase c)
    {
        var expected = Run(c.Oracle == KernelOracle.CpuBackend ? cpu : reference, c.Buffers, c.Kernel);
        var actual = Run(backend, c.Buffers, c.Kernel);
        for (var i = 0; i < c.Buffers.Length; i++)
        {
            var what = $"{c.Name} on {backend.Name}, buffer {i}";
            var mismatch = c.Comparison == KernelComparison.Exact
                ? CompareExact(what, expected[i], actual[i])
                : CompareClose(what, expected[i], actual[i], c.Atol, c.Rtol, nanMatchesNan: true);
            if (mismatch is not null) return mismatch;
        }
        return null;
    }

    /// <summary>
    /// Elementwise |e − a| ≤ atol + rtol·|e|; with <paramref name="nanMatchesNan"/>, NaN on both sides agrees
    /// (elements outside a kernel's range keep their NaN on both backends).
    /// </summary>
    public static string? CompareClose(string what, double[] expected, double[] actual, double atol = KernelCase.DefaultAtol, double rtol = KernelCase.DefaultRtol, bool nanMatchesNan = false)
    {
        if (expected.Length != actual.Length) return $"{what}: {actual.Length} values, expected {expected.Length}";
        for (var i = 0; i < expected.Length; i++)
        {
            if (nanMatchesNan && double.IsNaN(expected[i]) && double.IsNaN(actual[i])) continue;
            if (!(Math.Abs(expected[i] - actual[i]) <= atol + rtol * Math.Abs(expected[i])))
                return $"{what}: element {i} is {actual[i]:R}, float64 reference {expected[i]:R} (atol {atol}, rtol {rtol})";
        }
        return null;
    }

    /// <summary>Equal to the last bit once the expected values are rounded to float32.</summary>
    public static string? CompareExact(string what, double[] expected, double[] actual)
    {
        if (expected.Length != actual.Length) return $"{what}: {actual.Length} values, expected {expected.Length}";
        for (var i = 0; i < expected.Length; i++)
        {
            var e = (double)(float)expected[i];
            if (!e.Equals(actual[i])) return $"{what}: element {i} is {actual[i]:R}, expected {e:R}";
        }
        return null;
    }

    private static double[][] Run(IBackend backend, double[][] buffers, Action<IBackend, Storage[]> kernel)
    {
        var storages = buffers.Select(values =>
        {
            var s = backend.Allocate(values.Length);
            backend.UploadDouble(values, s);
            return s;
        }).ToArray();
        kernel(backend, storages);
        var results = buffers.Select((values, i) =>
        {
            var result = new double[values.Length];
            backend.DownloadDouble(storages[i], result);
            return result;
        }).ToArray();
        foreach (var s in storages) backend.Release(s);
        return results;
    }
}
