using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

/// <summary>
/// Every <see cref="IBackend"/> kernel, run against each backend by a subclass: the kernel cases live in
/// <see cref="KernelCases"/> (shared with the GPU check, bench/DeepMap.GpuCheck), one group per fact; the same buffers
/// go through the backend and through the float64 reference, and every buffer afterwards (outputs, and inputs that
/// should be untouched) agrees at atol 1e-5, rtol 1e-4. Outputs start as NaN, so an element a kernel forgets to write
/// fails. The facts beyond the kernel cases (errors, composites, training) are written here.
/// </summary>
public abstract partial class BackendConformanceTests
{
    protected abstract IBackend Backend { get; }

    /// <summary>How far tanh may be off on this backend (the issue allows 1e-3; a target with a fast approximation needs it).</summary>
    protected virtual double TanhAtol => 1e-5;

    [BackendFact]
    public void Gemm_matches_reference_in_every_transpose_with_bias_and_each_activation() => AssertCases(KernelCases.Gemm(TanhAtol));

    [BackendFact]
    public void Gemm_accumulates_into_c_at_offsets_without_bias() => AssertCases(KernelCases.GemmAccumulate());

    [BackendFact]
    public void Fill_and_strided_row_copies() => AssertCases(KernelCases.FillAndCopyRows());

    [BackendFact]
    public void Binary_ops_with_broadcasting() => AssertCases(KernelCases.Binary());

    [BackendFact]
    public void Unary_ops_and_their_backward() => AssertCases(KernelCases.Unary(TanhAtol));

    [BackendFact]
    public void Tanh_is_accurate_near_zero_and_saturates() => AssertCases(KernelCases.TanhRange(TanhAtol));

    [BackendFact]
    public void Scale_ignores_y_when_beta_is_zero() => AssertCases(KernelCases.Scale());

    [BackendFact]
    public void Sums_over_broadcast_dimensions_short_and_long() => AssertCases(KernelCases.ReduceSum());

    [BackendFact]
    public void Max_picks_the_first_of_ties_and_prefers_nan() => AssertCases(KernelCases.ReduceMax());

    [BackendFact]
    public void Permutes_of_rank_two_to_four() => AssertCases(KernelCases.Permute());

    [BackendFact]
    public void Softmax_forward_backward_and_huge_logits() => AssertCases(KernelCases.Softmax());

    [BackendFact]
    public void Cross_entropies_with_indices_distributions_and_sigmoid() => AssertCases(KernelCases.CrossEntropy());

    [BackendFact]
    public void A_bad_class_index_is_an_error_naming_the_row_by_the_next_download()
    {
        var logits = Tensor.Zeros(Backend, 3, 4);
        var targets = Tensor.FromArray(Backend, [1f, 4f, 2f], 3);
        var loss = Tensor.Empty(Backend, 3);
        var gradient = Tensor.Empty(Backend, 3, 4);
        var e = Assert.Throws<ArgumentException>(() =>
        {
            Backend.SoftmaxCrossEntropy(logits.Storage, targets.Storage, true, 3, 4, loss.Storage, gradient.Storage, 1);
            loss.ToArray();
        });
        Assert.Contains("row 1", e.Message);
        var table = Tensor.Zeros(Backend, 5, 2);
        var indices = Tensor.FromArray(Backend, [0f, 1.5f], 2);
        var rows = Tensor.Empty(Backend, 2, 2);
        e = Assert.Throws<ArgumentException>(() =>
        {
            Backend.Gather(table.Storage, 5, 2, indices.Storage, 2, rows.Storage);
            rows.ToArray();
        });
        Assert.Contains("row 1", e.Message);
        Assert.Equal(new float[10], table.ToArray());
    }

    protected static double[] U(int count, ulong seed, double low = -1, double high = 1) => RandomArrays.Uniform(count, low, high, seed);

    /// <summary>Runs each case on this backend and on its oracle (<see cref="KernelChecker"/>); the first mismatch fails.</summary>
    protected void AssertCases(IEnumerable<KernelCase> cases)
    {
        var checker = new KernelChecker(TestBackends.Reference, TestBackends.SingleThread);
        var count = 0;
        foreach (var c in cases)
        {
            count++;
            if (checker.Check(Backend, c) is { } mismatch) throw new Xunit.Sdk.XunitException(mismatch);
        }
        Assert.True(count > 0, "no cases");
    }
}
