using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Ops;
using DeepMap.Tensors.Tests.Support;

namespace DeepMap.Tensors.Tests.Autograd;

public sealed class AutogradTests
{
    private static Tensor Leaf(params float[] values)
    {
        var t = Tensor.FromArray(TestBackends.SingleThread, values, values.Length);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var x = Leaf(1, 2, 3);
        Op.Sum(Op.Square(x)).Backward();
        Op.Sum(Op.Square(x)).Backward();
        Assert.Equal([4f, 8f, 12f], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Null(x.Grad);
        Op.Sum(x).Backward();
        Assert.Equal([1f, 1f, 1f], x.Grad!.ToArray());
    }

    [Fact]
    public void A_tensor_used_twice_gets_both_contributions()
    {
        var x = Leaf(2, -1);
        Op.Sum(Op.Mul(x, x)).Backward();
        Assert.Equal([4f, -2f], x.Grad!.ToArray());
    }

    [Fact]
    public void No_grad_scope_records_nothing()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (GradMode.Disable()) y = Op.Sum(Op.Square(x));
        Assert.False(y.TracksGradient);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void Backward_of_a_non_scalar_needs_an_output_gradient()
    {
        var x = Leaf(1, 2);
        var y = Op.Square(x);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("scalar", e.Message);
        y.Backward(Tensor.FromArray(TestBackends.SingleThread, [1f, 10f], 2));
        Assert.Equal([2f, 40f], x.Grad!.ToArray());
    }

    [Fact]
    public void A_deep_chain_does_not_overflow_the_stack()
    {
        var x = Leaf(0.5f);
        var y = x;
        for (var i = 0; i < 20000; i++) y = Op.Add(y, x);
        Op.Sum(y).Backward();
        Assert.Equal(20001f, x.Grad!.Item());
    }

    [Fact]
    public void A_scope_returns_buffers_to_the_pool_and_the_next_step_reuses_them()
    {
        var x = Leaf(1, 2, 3, 4);
        float[][] Step()
        {
            using var scope = TensorScope.Open();
            var a = Op.Exp(x);
            var b = Op.Exp(x);
            var y = Op.Mul(a, b);
            return [Buffer(a), Buffer(b), Buffer(y)];
        }
        var first = Step();
        var second = Step();
        Assert.All(second, buffer => Assert.True(first.Any(f => ReferenceEquals(f, buffer)), "a step allocated a new buffer instead of reusing a pooled one"));
    }

    private static float[] Buffer(Tensor t) => DeepMap.Tensors.Backends.Cpu.CpuBackend.A(t.Storage);

    [Fact]
    public void A_recycling_scope_reuses_graph_nodes_and_the_next_step_computes_the_same()
    {
        var x = Leaf(1, 2, 3, 4);
        (Tensor Y, object Node, float[] Grad) Step()
        {
            Tensor y;
            object node;
            using (TensorScope.OpenRecycling())
            {
                y = Op.Mul(Op.Exp(x), x);
                node = y.Node!;
                Op.Sum(y).Backward();
            }
            var grad = x.Grad!.ToArray();
            x.ZeroGrad();
            return (y, node, grad);
        }
        var first = Step();
        var second = Step();
        Assert.True(first.Y.IsDisposed, "the scope did not release the step's output");
        // One multiply per step, so the second step's multiply node is the first step's, recycled.
        Assert.Same(first.Node, second.Node);
        // d(x·eˣ)/dx = eˣ(1 + x)
        Assert.Equal([.. new[] { 1f, 2, 3, 4 }.Select(v => MathF.Exp(v) * (1 + v))], second.Grad, (a, b) => MathF.Abs(a - b) <= 1e-4f * MathF.Abs(a));
        Assert.Equal(first.Grad, second.Grad);
    }

    [Fact]
    public void A_view_created_in_a_scope_is_released_with_it_unless_kept()
    {
        var x = Leaf(1, 2, 3, 4);
        Tensor dropped, kept;
        using (TensorScope.Open())
        {
            dropped = Op.Reshape(x, 2, 2);
            kept = Op.Reshape(x, 4, 1).Keep();
        }
        Assert.True(dropped.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.False(x.IsDisposed);
        Assert.Equal([1f, 2, 3, 4], kept.ToArray());
    }

    [Fact]
    public void Using_a_tensor_after_its_scope_released_it_is_a_clear_error()
    {
        Tensor y;
        using (TensorScope.Open()) y = Op.Exp(Leaf(1, 2));
        var e = Assert.Throws<ObjectDisposedException>(() => Op.Exp(y));
        Assert.Contains("after its scope released it", e.Message);
    }

    [Fact]
    public void Mixing_backends_is_refused_with_both_names()
    {
        var a = Tensor.FromArray(TestBackends.SingleThread, [1f], 1);
        var b = Tensor.FromArray(TestBackends.TwoThreads, [1f], 1);
        var e = Assert.Throws<ArgumentException>(() => Op.Add(a, b));
        Assert.Contains("different backends", e.Message);
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_are_named_in_the_error()
    {
        var a = Tensor.Zeros(TestBackends.SingleThread, 2, 3);
        var b = Tensor.Zeros(TestBackends.SingleThread, 4);
        var e = Assert.Throws<ArgumentException>(() => Op.Add(a, b));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
    }
}
