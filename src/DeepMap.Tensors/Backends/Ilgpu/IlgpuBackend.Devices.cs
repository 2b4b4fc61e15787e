using System.Runtime.InteropServices;
using System.Runtime.Loader;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace DeepMap.Tensors.Backends.Ilgpu;

public sealed partial class IlgpuBackend
{
    private static int s_driverFallback;

    /// <summary>The first CUDA device; throws with a one-line reason when there is none.</summary>
    public static IlgpuBackend CreateCuda()
    {
        AllowVersionedCudaDriver();
        var context = Context.Create(b => b.Cuda());
        try
        {
            var devices = context.GetCudaDevices();
            if (devices.Count == 0) throw new InvalidOperationException("no CUDA device: ILGPU found no CUDA driver (libcuda) or no GPU");
            return new IlgpuBackend(devices[0].CreateAccelerator(context), context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator, which emulates GPU threads with OS threads: for tests only, far too slow to train on.
    /// One emulated multiprocessor with groups of 256, the size the GEMM tile needs.
    /// </summary>
    public static IlgpuBackend CreateCpuEmulation()
    {
        var context = Context.Create(b => b.CPU(new CPUDevice(numThreadsPerWarp: 16, numWarpsPerMultiprocessor: RequiredGroupSize / 16, numMultiprocessors: 1)));
        return new IlgpuBackend(context.GetCPUDevice(0).CreateAccelerator(context), context);
    }

    /// <summary>What ILGPU reports about the device, on one line: for logs and the GPU check (bench/gpu/run.sh).</summary>
    public string DeviceDescription
    {
        get
        {
            var a = _accelerator;
            var text = $"{a.AcceleratorType} \"{a.Name}\", {a.MemorySize / (1024.0 * 1024 * 1024):F1} GiB, {a.NumMultiprocessors} multiprocessors, warp {a.WarpSize}, max {a.MaxNumThreadsPerGroup} threads per group";
            return a is CudaAccelerator cuda ? $"{text}, compute capability {cuda.Architecture}, driver {cuda.DriverVersion}" : text;
        }
    }

    /// <summary>Waits for every queued kernel and copy. Training never needs it (<see cref="Download"/> waits); timing does.</summary>
    public void Synchronize() => Stream.Synchronize();

    /// <summary>
    /// The driver's own device-to-device copy of <paramref name="length"/> elements, no kernel of ours: the bandwidth
    /// the elementwise kernels are measured against.
    /// </summary>
    public void CopyOnDevice(Storage source, Storage destination, int length)
    {
        if (length > 0) ((ArrayView1D<float, Stride1D.Dense>)V(source).SubView(0, length)).CopyTo(Stream, (ArrayView1D<float, Stride1D.Dense>)V(destination).SubView(0, length));
    }

    /// <summary>Whether ILGPU sees a CUDA device here; false, not an exception, when the driver is missing.</summary>
    public static bool IsCudaAvailable()
    {
        AllowVersionedCudaDriver();
        try
        {
            using var context = Context.Create(b => b.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// ILGPU imports the driver as "cuda" (libcuda.so), which many driver installs and NVIDIA's container images ship
    /// only as libcuda.so.1. When the plain name fails to load, the versioned one is offered instead.
    /// </summary>
    private static void AllowVersionedCudaDriver()
    {
        if (Interlocked.Exchange(ref s_driverFallback, 1) == 1) return;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
            name.Contains("cuda", StringComparison.OrdinalIgnoreCase) && NativeLibrary.TryLoad("libcuda.so.1", out var handle) ? handle : IntPtr.Zero;
    }
}
