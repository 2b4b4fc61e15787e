using DeepMap.Tensors.Backends;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Backends.Conformance;

public abstract partial class BackendConformanceTests
{
    [BackendFact]
    public void Im2col_and_its_adjoint_col2im() => AssertCases(KernelCases.Im2ColAndCol2Im());

    [BackendFact]
    public void Channel_bias_with_each_activation() => AssertCases(KernelCases.ChannelBias(TanhAtol));

    [BackendFact]
    public void Max_pooling_routes_gradients_to_the_same_winners_with_ties() => AssertCases(KernelCases.MaxPool());

    [BackendFact]
    public void Dropout_masks_are_the_cpu_backends_bit_for_bit() => AssertCases(KernelCases.Dropout());

    [BackendFact]
    public void Gather_and_scatter_add_with_repeated_indices() => AssertCases(KernelCases.GatherAndScatter());

    [BackendFact]
    public void Lstm_cell_forward_and_backward_at_offsets() => AssertCases(KernelCases.LstmCell(TanhAtol));

    [BackendFact]
    public void Optimizer_steps_sgd_momentum_nesterov_and_adam() => AssertCases(KernelCases.Optimizers());
}
