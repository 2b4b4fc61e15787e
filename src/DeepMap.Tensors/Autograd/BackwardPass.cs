namespace DeepMap.Tensors.Autograd;

/// <summary>Reverse-mode differentiation over the graph recorded by the forward ops, in reverse topological order.</summary>
internal static class BackwardPass
{
    public static void Run(Tensor root, Tensor? outputGradient)
    {
        if (!root.TracksGradient)
            throw new InvalidOperationException("Backward() on a tensor that does not depend on any parameter (was it computed under NoGrad, or with no RequiresGrad input?)");
        if (outputGradient is null && root.Size != 1)
            throw new InvalidOperationException($"Backward() without an output gradient needs a scalar; this tensor has {root.Size} elements");

        // The walk's collections are this thread's, reused from pass to pass so a training step allocates none.
        var work = t_work ?? new Work();
        t_work = null;
        var order = work.Order;
        var sink = work.Sink;
        GradMode.Enter();
        try
        {
            TopologicalOrder(root, work);
            var seed = outputGradient is null ? Tensor.Full(root.Backend, 1, root.Shape) : Ops.Op.Copy(outputGradient);
            sink.Add(root, seed);
            for (var i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var g = sink.Take(t);
                if (g is null) continue;
                t.Node!.Backward(t, g, sink);
                g.Release();
            }
        }
        finally
        {
            GradMode.Exit();
            order.Clear();
            work.Visited.Clear();
            work.Stack.Clear();
            sink.Clear();
            t_work = work;
        }
    }

    [ThreadStatic] private static Work? t_work;

    private sealed class Work
    {
        public readonly List<Tensor> Order = [];
        public readonly HashSet<Tensor> Visited = new(ReferenceEqualityComparer.Instance);
        public readonly Stack<(Tensor Tensor, int Next)> Stack = new();
        public readonly GradientSink Sink = new();
    }

    /// <summary>Non-leaf tensors, each after all the tensors it reads (iterative, so deep graphs cannot overflow the stack).</summary>
    private static void TopologicalOrder(Tensor root, Work work)
    {
        var order = work.Order;
        var visited = work.Visited;
        var stack = work.Stack;
        if (root.Node is null) return;
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var input = inputs[next];
                if (input.Node is not null && visited.Add(input)) stack.Push((input, 0));
            }
            else
            {
                order.Add(t);
            }
        }
    }
}
