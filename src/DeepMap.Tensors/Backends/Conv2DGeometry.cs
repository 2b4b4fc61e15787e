namespace DeepMap.Tensors.Backends;

/// <summary>The sizes of one NCHW convolution or pooling window pass.</summary>
public readonly record struct Conv2DGeometry(
    int Batch, int Channels, int Height, int Width,
    int KernelHeight, int KernelWidth, int Stride, int PadTop, int PadLeft,
    int OutHeight, int OutWidth)
{
    public int Patch => Channels * KernelHeight * KernelWidth;

    public int OutPixels => OutHeight * OutWidth;

    public static Conv2DGeometry For(int batch, int channels, int height, int width, int kernel, int stride, bool samePadding)
    {
        int outH, outW, padTop, padLeft;
        if (samePadding)
        {
            outH = (height + stride - 1) / stride;
            outW = (width + stride - 1) / stride;
            var padH = Math.Max(0, (outH - 1) * stride + kernel - height);
            var padW = Math.Max(0, (outW - 1) * stride + kernel - width);
            padTop = padH / 2;
            padLeft = padW / 2;
        }
        else
        {
            if (height < kernel || width < kernel)
                throw new ArgumentException($"a {kernel}x{kernel} window with valid padding does not fit a {height}x{width} input");
            outH = (height - kernel) / stride + 1;
            outW = (width - kernel) / stride + 1;
            padTop = padLeft = 0;
        }
        return new Conv2DGeometry(batch, channels, height, width, kernel, kernel, stride, padTop, padLeft, outH, outW);
    }
}
