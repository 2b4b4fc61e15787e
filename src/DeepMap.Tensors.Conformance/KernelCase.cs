using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Conformance;

/// <summary>How a case's buffers are compared after the kernel ran on both backends.</summary>
public enum KernelComparison
{
    /// <summary>Elementwise |expected − actual| ≤ atol + rtol·|expected|.</summary>
    Close,

    /// <summary>For kernels that only select or move values (indices, winners, masks): equal to the last float32 bit.</summary>
    Exact,
}

/// <summary>Which backend a case's expected buffers come from.</summary>
public enum KernelOracle
{
    /// <summary>The float64 reference backend.</summary>
    Reference,

    /// <summary>The single-threaded CPU backend: for the dropout mask, which must match it bit for bit.</summary>
    CpuBackend,
}

/// <summary>
/// One kernel call to check: the buffers it is given (uploaded to each backend in turn; outputs start as NaN so an
/// element the kernel forgets to write fails), the call itself, and how every buffer afterwards is compared.
/// </summary>
public sealed record KernelCase(
    string Name,
    double[][] Buffers,
    Action<IBackend, Storage[]> Kernel,
    double Atol = KernelCase.DefaultAtol,
    double Rtol = KernelCase.DefaultRtol,
    KernelComparison Comparison = KernelComparison.Close,
    KernelOracle Oracle = KernelOracle.Reference)
{
    public const double DefaultAtol = 1e-5;
    public const double DefaultRtol = 1e-4;

    public static KernelCase Exact(string name, double[][] buffers, Action<IBackend, Storage[]> kernel, KernelOracle oracle = KernelOracle.Reference) =>
        new(name, buffers, kernel, Comparison: KernelComparison.Exact, Oracle: oracle);
}

/// <summary>A named group of cases: one fact of the xUnit suite, one line of the GPU check.</summary>
public sealed record KernelGroup(string Name, IEnumerable<KernelCase> Cases);
