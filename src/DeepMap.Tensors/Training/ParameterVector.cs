using DeepMap.Tensors.Layers;

namespace DeepMap.Tensors.Training;

/// <summary>
/// All of a model's parameters (or their gradients) as one flat vector, in parameter order: what a distributed step
/// ships and what parameter-server shards slice.
/// </summary>
public static class ParameterVector
{
    public static int Length(IReadOnlyList<Parameter> parameters) => parameters.Sum(p => p.Value.Size);

    public static void ReadValues(IReadOnlyList<Parameter> parameters, Span<float> destination)
    {
        RequireLength(parameters, destination.Length);
        var offset = 0;
        foreach (var p in parameters)
        {
            p.Value.Backend.Download(p.Value.Storage, destination.Slice(offset, p.Value.Size));
            offset += p.Value.Size;
        }
    }

    public static void WriteValues(IReadOnlyList<Parameter> parameters, ReadOnlySpan<float> source)
    {
        RequireLength(parameters, source.Length);
        var offset = 0;
        foreach (var p in parameters)
        {
            p.Value.Backend.Upload(source.Slice(offset, p.Value.Size), p.Value.Storage);
            offset += p.Value.Size;
        }
    }

    /// <summary>Writes a piece of the vector that starts at <paramref name="offset"/>, across parameter boundaries as it falls.</summary>
    public static void WriteValues(IReadOnlyList<Parameter> parameters, int offset, ReadOnlySpan<float> piece)
    {
        if (offset < 0 || (long)offset + piece.Length > Length(parameters))
            throw new ArgumentException($"a piece of {piece.Length} values at {offset} does not fit a vector of {Length(parameters)}");
        var start = 0;
        foreach (var p in parameters)
        {
            var size = p.Value.Size;
            var from = Math.Max(offset, start);
            var to = Math.Min(offset + piece.Length, start + size);
            if (from < to) p.Value.Backend.Upload(piece[(from - offset)..(to - offset)], p.Value.Storage, from - start);
            start += size;
        }
    }

    /// <summary>The accumulated gradients, zero for parameters that received none.</summary>
    public static void ReadGradients(IReadOnlyList<Parameter> parameters, Span<float> destination)
    {
        RequireLength(parameters, destination.Length);
        var offset = 0;
        foreach (var p in parameters)
        {
            var slice = destination.Slice(offset, p.Value.Size);
            if (p.Value.Grad is null) slice.Clear();
            else p.Value.Backend.Download(p.Value.Grad.Storage, slice);
            offset += p.Value.Size;
        }
    }

    /// <summary>Replaces the parameters' gradients with slices of the vector, ready for the optimizer.</summary>
    public static void WriteGradients(IReadOnlyList<Parameter> parameters, ReadOnlySpan<float> source)
    {
        RequireLength(parameters, source.Length);
        var offset = 0;
        foreach (var p in parameters)
        {
            p.Value.Grad ??= Tensor.Empty(p.Value.Backend, p.Value.Shape).Keep();
            p.Value.Backend.Upload(source.Slice(offset, p.Value.Size), p.Value.Grad.Storage);
            offset += p.Value.Size;
        }
    }

    /// <summary>The gradients into a flat tensor on the parameters' backend, without a trip through the host.</summary>
    public static void ReadGradients(IReadOnlyList<Parameter> parameters, Tensor destination)
    {
        RequireLength(parameters, destination.Size);
        var offset = 0;
        foreach (var p in parameters)
        {
            var size = p.Value.Size;
            if (p.Value.Grad is null) Zero(destination, offset, size);
            else p.Value.Backend.CopyRows(p.Value.Grad.Storage, 0, size, destination.Storage, offset, size, 1, size);
            offset += size;
        }
    }

    /// <summary>Slices of a flat tensor on the parameters' backend become their gradients, without a trip through the host.</summary>
    public static void WriteGradients(IReadOnlyList<Parameter> parameters, Tensor source)
    {
        RequireLength(parameters, source.Size);
        var offset = 0;
        foreach (var p in parameters)
        {
            var size = p.Value.Size;
            p.Value.Grad ??= Tensor.Empty(p.Value.Backend, p.Value.Shape).Keep();
            p.Value.Backend.CopyRows(source.Storage, offset, size, p.Value.Grad.Storage, 0, size, 1, size);
            offset += size;
        }
    }

    private static void Zero(Tensor t, int offset, int length)
    {
        var zeros = Tensor.Zeros(t.Backend, length);
        t.Backend.CopyRows(zeros.Storage, 0, length, t.Storage, offset, length, 1, length);
        zeros.Dispose();
    }

    private static void RequireLength(IReadOnlyList<Parameter> parameters, int length)
    {
        var expected = Length(parameters);
        if (length != expected) throw new ArgumentException($"the model has {expected} parameters; the vector has {length}");
    }
}
