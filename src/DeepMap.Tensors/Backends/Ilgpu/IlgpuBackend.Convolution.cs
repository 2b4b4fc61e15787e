namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void Im2Col(Storage x, Storage columns, in Conv2DGeometry g)
    {
        var total = g.Patch * g.Batch * g.OutPixels;
        if (total > 0) _k.Im2Col(total, V(x), V(columns), g);
    }

    public void Col2Im(Storage columns, Storage dx, in Conv2DGeometry g)
    {
        var total = g.Batch * g.Channels * g.Height * g.Width;
        if (total > 0) _k.Col2Im(total, V(columns), V(dx), g);
    }

    public void ChannelBiasActivation(Storage y, Storage bias, int batch, int channels, int inner, Activation activation)
    {
        var total = batch * channels * inner;
        if (total > 0) _k.ChannelBiasActivation(total, V(y), V(bias), channels, inner, (int)activation);
    }

    public void MaxPool2D(Storage x, Storage y, Storage argMax, in Conv2DGeometry g)
    {
        var total = g.Batch * g.Channels * g.OutPixels;
        if (total > 0) _k.MaxPool(total, V(x), V(y), V(argMax), g);
    }

    public void MaxPool2DBackward(Storage dy, Storage argMax, Storage dx, in Conv2DGeometry g)
    {
        var total = g.Batch * g.Channels * g.Height * g.Width;
        if (total > 0) _k.MaxPoolBackward(total, V(dy), V(argMax), V(dx), g);
    }
}
