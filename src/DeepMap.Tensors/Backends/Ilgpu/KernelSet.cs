using DeepMap.Tensors.Backends.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;
using V = ILGPU.ArrayView<float>;

namespace DeepMap.Tensors.Backends.Ilgpu;

/// <summary>
/// Every kernel of the backend, compiled for one accelerator when the backend is made (a worker's start), never
/// in a training step. Launches go to the accelerator's default stream and return without waiting.
/// </summary>
internal sealed class KernelSet(Accelerator accelerator)
{
    public readonly Action<Index1D, V, float> Fill = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, float>(ElementwiseKernels.Fill);
    public readonly Action<Index1D, V, int, V, int, int> CopyRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, int, V, int, int>(ElementwiseKernels.CopyRows);
    public readonly Action<Index1D, V, V, V, int> Binary = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, int>(ElementwiseKernels.Binary);
    public readonly Action<Index1D, V, StridedWalk, V, StridedWalk, V, int> BinaryBroadcast = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, StridedWalk, V, StridedWalk, V, int>(ElementwiseKernels.BinaryBroadcast);
    public readonly Action<Index1D, V, V, int> Unary = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, int>(ElementwiseKernels.Unary);
    public readonly Action<Index1D, V, V, V, V, int> UnaryBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, V, int>(ElementwiseKernels.UnaryBackward);
    public readonly Action<Index1D, V, V, float, float> Scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, float, float>(ElementwiseKernels.Scale);
    public readonly Action<Index1D, V, ulong, double, float> DropoutMask = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, ulong, double, float>(ElementwiseKernels.DropoutMask);

    public readonly Action<Index1D, V, StridedWalk, StridedWalk, int, V> SumSerial = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, StridedWalk, StridedWalk, int, V>(ReductionKernels.SumSerial);
    public readonly Action<KernelConfig, V, StridedWalk, StridedWalk, int, V> SumGrouped = accelerator.LoadStreamKernel<V, StridedWalk, StridedWalk, int, V>(ReductionKernels.SumGrouped);
    public readonly Action<Index1D, V, int, int, V, V> Max = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, int, int, V, V>(ReductionKernels.Max);
    public readonly Action<Index1D, V, StridedWalk, V> Permute = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, StridedWalk, V>(ReductionKernels.Permute);
    public readonly Action<Index1D, V, V, int> Softmax = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, int>(ReductionKernels.Softmax);
    public readonly Action<Index1D, V, V, V, int> SoftmaxBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, int>(ReductionKernels.SoftmaxBackward);
    public readonly Action<Index1D, V, V, int, int, V, V, float> SoftmaxCrossEntropy = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, int, int, V, V, float>(ReductionKernels.SoftmaxCrossEntropy);
    public readonly Action<Index1D, V, V, V, V, float> SigmoidCrossEntropy = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, V, float>(ReductionKernels.SigmoidCrossEntropy);

    public readonly Action<Index1D, V, V, Conv2DGeometry> Im2Col = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, Conv2DGeometry>(ConvolutionKernels.Im2Col);
    public readonly Action<Index1D, V, V, Conv2DGeometry> Col2Im = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, Conv2DGeometry>(ConvolutionKernels.Col2Im);
    public readonly Action<Index1D, V, V, int, int, int> ChannelBiasActivation = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, int, int, int>(ConvolutionKernels.ChannelBiasActivation);
    public readonly Action<Index1D, V, V, V, Conv2DGeometry> MaxPool = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, Conv2DGeometry>(ConvolutionKernels.MaxPool);
    public readonly Action<Index1D, V, V, V, Conv2DGeometry> MaxPoolBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, Conv2DGeometry>(ConvolutionKernels.MaxPoolBackward);

    public readonly Action<Index1D, V, int, int, ArrayView<int>> CheckIndices = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, int, int, ArrayView<int>>(RecurrentKernels.CheckIndices);
    public readonly Action<Index1D, V, int, int, V, V> Gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, int, int, V, V>(RecurrentKernels.Gather);
    public readonly Action<Index1D, V, V, int, int, V, int> ScatterAdd = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, int, int, V, int>(RecurrentKernels.ScatterAdd);
    public readonly Action<Index1D, V, V, V, V, int> LstmCell = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, V, int>(RecurrentKernels.Cell);
    public readonly Action<Index1D, V, V, V, V, V, V, int> LstmCellBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, V, V, V, int>(RecurrentKernels.CellBackward);

    public readonly Action<Index1D, V, V, float, float> Sgd = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, float, float>(OptimizerKernels.Sgd);
    public readonly Action<Index1D, V, V, V, float, float, int> Momentum = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, float, float, int>(OptimizerKernels.Momentum);
    public readonly Action<Index1D, V, V, V, V, float, float, float, float, float, float> Adam = accelerator.LoadAutoGroupedStreamKernel<Index1D, V, V, V, V, float, float, float, float, float, float>(OptimizerKernels.Adam);

    public readonly Action<KernelConfig, V, V, V, V, int, int, int, int, int, int, int, int> Gemm = accelerator.LoadStreamKernel<V, V, V, V, int, int, int, int, int, int, int, int>(GemmKernel.Run);
}
