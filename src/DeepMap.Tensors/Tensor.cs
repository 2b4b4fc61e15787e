using DeepMap.Tensors.Autograd;
using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors;

/// <summary>
/// An n-dimensional array of numbers in contiguous row-major storage owned by a backend, and a node of the
/// autograd graph: an op's output remembers how to send gradients back to its inputs.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private bool _ownsStorage;
    private bool _disposed;

    // Instances come from Create, which reuses the objects a training step's scope handed back (TensorPool).
    private Tensor(int rank)
    {
        Shape = new int[rank];
        Storage = null!;
    }

    /// <summary>A tensor over storage (owned: released with the tensor), tracked by the open scope.</summary>
    internal static Tensor Create(Storage storage, ReadOnlySpan<int> shape, bool ownsStorage = true)
    {
        var size = ShapeMath.Size(shape);
        if (size > storage.Length) throw new ArgumentException($"shape {ShapeMath.Format(shape)} needs {size} elements; storage has {storage.Length}");
        var t = TensorPool.Rent(shape.Length) ?? new Tensor(shape.Length);
        shape.CopyTo(t.Shape);
        t.Storage = storage;
        t.Size = size;
        t._ownsStorage = ownsStorage;
        t._disposed = false;
        t.RequiresGrad = false;
        t.Grad = null;
        t.Node = null;
        TensorScope.Track(t);
        return t;
    }

    /// <summary>The dimensions; a tensor created inside a training step is reused after the step, shape array included.</summary>
    public int[] Shape { get; }

    public int Rank => Shape.Length;

    public int Size { get; private set; }

    public Storage Storage { get; private set; }

    public IBackend Backend => Storage.Backend;

    /// <summary>A leaf that collects gradients (a parameter); ops on it record the graph.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>
    /// The accumulated gradient of a leaf after <see cref="Backward"/>; null until then or after ZeroGrad, which
    /// releases it (read or copy it before).
    /// </summary>
    public Tensor? Grad { get; internal set; }

    internal GraphNode? Node { get; set; }

    internal bool TracksGradient => RequiresGrad || Node is not null;

    public int Dim(int axis) => Shape[axis < 0 ? Rank + axis : axis];

    public override string ToString() => $"Tensor{ShapeMath.Format(Shape)} on {Backend.Name}";

    public static Tensor Empty(IBackend backend, params ReadOnlySpan<int> shape) => Create(backend.Allocate(ShapeMath.Size(shape)), shape);

    public static Tensor Zeros(IBackend backend, params ReadOnlySpan<int> shape) => Full(backend, 0, shape);

    public static Tensor Full(IBackend backend, double value, params ReadOnlySpan<int> shape)
    {
        var t = Empty(backend, shape);
        backend.Fill(t.Storage, value);
        return t;
    }

    public static Tensor FromArray(IBackend backend, ReadOnlySpan<float> data, params ReadOnlySpan<int> shape)
    {
        if (ShapeMath.Size(shape) != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape {ShapeMath.Format(shape)}");
        var t = Empty(backend, shape);
        backend.Upload(data, t.Storage);
        return t;
    }

    public static Tensor FromArray(float[] data, params ReadOnlySpan<int> shape) => FromArray(DefaultBackend.Current, data, shape);

    public static Tensor FromDoubles(IBackend backend, ReadOnlySpan<double> data, params ReadOnlySpan<int> shape)
    {
        if (ShapeMath.Size(shape) != data.Length)
            throw new ArgumentException($"{data.Length} values do not fill shape {ShapeMath.Format(shape)}");
        var t = Empty(backend, shape);
        backend.UploadDouble(data, t.Storage);
        return t;
    }

    public float[] ToArray()
    {
        var result = new float[Size];
        Backend.Download(Storage, result);
        return result;
    }

    public double[] ToDoubleArray()
    {
        var result = new double[Size];
        Backend.DownloadDouble(Storage, result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs one element; the tensor has shape {ShapeMath.Format(Shape)}");
        Span<float> one = stackalloc float[1];
        Backend.Download(Storage, one);
        return one[0];
    }

    /// <summary>A copy on another backend (or this one), outside the graph.</summary>
    public Tensor To(IBackend backend)
    {
        var copy = Empty(backend, Shape);
        if (backend.ElementSize == 8 || Backend.ElementSize == 8)
        {
            backend.UploadDouble(ToDoubleArray(), copy.Storage);
        }
        else
        {
            backend.Upload(ToArray(), copy.Storage);
        }
        return copy;
    }

    /// <summary>Back-propagates from this scalar (or from the given output gradient), accumulating into leaves' Grad.</summary>
    public void Backward(Tensor? outputGradient = null) => BackwardPass.Run(this, outputGradient);

    /// <summary>Drops the accumulated gradient, returning its buffer to the pool.</summary>
    public void ZeroGrad()
    {
        if (Grad is null) return;
        Grad.Release();
        TensorPool.Return(Grad);
        Grad = null;
    }

    /// <summary>Returns the buffer to the backend's pool now instead of waiting for the garbage collector.</summary>
    public void Dispose()
    {
        TensorScope.Forget(this);
        Release();
    }

    internal void Release()
    {
        if (_disposed) return;
        _disposed = true;
        var node = Node;
        Node = null;
        node?.Recycle();
        if (_ownsStorage) Backend.Release(Storage);
    }

    internal bool IsDisposed => _disposed;

    /// <summary>A tensor that shares this one's storage under another shape (no copy).</summary>
    internal Tensor View(ReadOnlySpan<int> shape) => Create(Storage, shape, ownsStorage: false);

    /// <summary>Keeps this tensor alive past the enclosing <see cref="TensorScope"/>.</summary>
    public Tensor Keep()
    {
        TensorScope.Forget(this);
        return this;
    }
}
