namespace DeepMap.Tensors.Backends.Reference;

/// <summary>
/// Float64, single-threaded, written as plainly as the math: the oracle that gradient checks and the fast backends'
/// conformance tests compare against. Never used to train.
/// </summary>
public sealed partial class ReferenceBackend : IBackend
{
    public static ReferenceBackend Instance { get; } = new();

    public string Name => "reference-float64";

    public int ElementSize => 8;

    public Storage Allocate(int length) => new ReferenceStorage(this, length);

    public void Release(Storage storage) { }

    private static double[] D(Storage s) => ((ReferenceStorage)s).Data;

    public void Upload(ReadOnlySpan<float> source, Storage destination, int destinationOffset = 0)
    {
        var d = D(destination);
        for (var i = 0; i < source.Length; i++) d[destinationOffset + i] = source[i];
    }

    public void Download(Storage source, Span<float> destination, int sourceOffset = 0)
    {
        var s = D(source);
        for (var i = 0; i < destination.Length; i++) destination[i] = (float)s[sourceOffset + i];
    }

    public void UploadDouble(ReadOnlySpan<double> source, Storage destination) => source.CopyTo(D(destination));

    public void DownloadDouble(Storage source, Span<double> destination) => D(source).AsSpan(0, destination.Length).CopyTo(destination);

    public void Fill(Storage destination, double value) => Array.Fill(D(destination), value);

    public void CopyRows(Storage source, int sourceOffset, int sourceStride, Storage destination, int destinationOffset, int destinationStride, int rows, int rowLength)
    {
        var s = D(source);
        var d = D(destination);
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < rowLength; i++)
                d[destinationOffset + r * destinationStride + i] = s[sourceOffset + r * sourceStride + i];
    }

    public void Gemm(in GemmShape s, Storage a, Storage b, Storage c, bool accumulate = false, Storage? columnBias = null, Activation activation = Activation.None)
    {
        var av = D(a);
        var bv = D(b);
        var cv = D(c);
        var bias = columnBias is null ? null : D(columnBias);
        for (var i = 0; i < s.M; i++)
            for (var j = 0; j < s.N; j++)
            {
                double sum = 0;
                for (var p = 0; p < s.K; p++)
                {
                    var x = s.TransposeA ? av[s.AOffset + p * s.M + i] : av[s.AOffset + i * s.K + p];
                    var w = s.TransposeB ? bv[s.BOffset + j * s.K + p] : bv[s.BOffset + p * s.N + j];
                    sum += x * w;
                }
                var at = s.COffset + i * s.N + j;
                var v = (accumulate ? cv[at] : 0) + sum + (bias?[j] ?? 0);
                cv[at] = Activate(activation, v);
            }
    }

    private static double Activate(Activation activation, double v) => activation switch
    {
        Activation.None => v,
        Activation.Relu => v > 0 ? v : 0,
        Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
        Activation.Tanh => Math.Tanh(v),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };
}
