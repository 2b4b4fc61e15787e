using DeepMap.Tensors.Backends.Ilgpu.Kernels;

namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void Fill(Storage destination, double value)
    {
        if (destination.Length > 0) _k.Fill(destination.Length, V(destination), (float)value);
    }

    public void CopyRows(Storage source, int sourceOffset, int sourceStride, Storage destination, int destinationOffset, int destinationStride, int rows, int rowLength)
    {
        if (rows > 0 && rowLength > 0)
            _k.CopyRows(rows * rowLength, V(source, sourceOffset), sourceStride, V(destination, destinationOffset), destinationStride, rowLength);
    }

    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<int> aShape, Storage b, ReadOnlySpan<int> bShape, Storage y, ReadOnlySpan<int> yShape)
    {
        var total = ShapeMath.Size(yShape);
        if (total == 0) return;
        if (aShape.SequenceEqual(bShape))
        {
            _k.Binary(total, V(a), V(b), V(y), (int)op);
            return;
        }
        var (aWalk, bWalk) = WalkPlans.Broadcast(aShape, bShape, yShape);
        _k.BinaryBroadcast(total, V(a), aWalk, V(b), bWalk, V(y), (int)op);
    }

    public void Unary(UnaryOp op, Storage x, Storage y, int length)
    {
        if (length > 0) _k.Unary(length, V(x), V(y), (int)op);
    }

    public void UnaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, int length)
    {
        if (length > 0) _k.UnaryBackward(length, V(x), V(y), V(dy), V(dx), (int)op);
    }

    public void Scale(Storage x, Storage y, int length, double alpha, double beta)
    {
        if (length > 0) _k.Scale(length, V(x), V(y), (float)alpha, (float)beta);
    }

    public void DropoutMask(Storage mask, int length, ulong seed, double keep)
    {
        if (length > 0) _k.DropoutMask(length, V(mask), seed, keep, (float)(1 / keep));
    }
}
