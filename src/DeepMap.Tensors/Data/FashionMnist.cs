using DeepMap.Tensors.Backends;

namespace DeepMap.Tensors.Data;

/// <summary>
/// Fashion-MNIST from its four IDX files (gzip or raw): 60 000 training and 10 000 test images of 28×28, scaled to
/// [0, 1], with labels 0–9 as class indices. Debian's dataset-fashion-mnist installs it in <see cref="DefaultDirectory"/>.
/// </summary>
public sealed record FashionMnist(Tensor TrainImages, Tensor TrainLabels, Tensor TestImages, Tensor TestLabels)
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static bool IsInstalled(string directory = DefaultDirectory) =>
        File.Exists(Find(directory, "train-images-idx3-ubyte")) && File.Exists(Find(directory, "t10k-labels-idx1-ubyte"));

    /// <summary>Images as [N, 1, 28, 28] (for convolutions), [N, 784] (flatten) or [N, 28, 28] (rows as time steps).</summary>
    public static FashionMnist Load(string directory = DefaultDirectory, ImageLayout layout = ImageLayout.Channels, IBackend? backend = null)
    {
        backend ??= DefaultBackend.Current;
        string[] files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
        var missing = files.Where(f => !File.Exists(Find(directory, f))).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException($"Fashion-MNIST is incomplete at {directory}: missing {string.Join(", ", missing.Select(m => m + "[.gz]"))} (on Debian: apt-get install -y dataset-fashion-mnist)");
        return new FashionMnist(
            Images(Find(directory, "train-images-idx3-ubyte"), layout, backend),
            Labels(Find(directory, "train-labels-idx1-ubyte"), backend),
            Images(Find(directory, "t10k-images-idx3-ubyte"), layout, backend),
            Labels(Find(directory, "t10k-labels-idx1-ubyte"), backend));
    }

    private static string Find(string directory, string name)
    {
        var gz = Path.Combine(directory, name + ".gz");
        return File.Exists(gz) ? gz : Path.Combine(directory, name);
    }

    private static Tensor Images(string path, ImageLayout layout, IBackend backend)
    {
        var idx = IdxFile.Read(path);
        if (idx.Shape.Length != 3) throw new InvalidDataException($"{path}: expected images [N, rows, cols]; got [{string.Join(", ", idx.Shape)}]");
        var data = idx.Data;
        for (var i = 0; i < data.Length; i++) data[i] /= 255f;
        int n = idx.Shape[0], h = idx.Shape[1], w = idx.Shape[2];
        int[] shape = layout switch
        {
            ImageLayout.Channels => [n, 1, h, w],
            ImageLayout.Flat => [n, h * w],
            ImageLayout.Rows => [n, h, w],
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
        };
        return Tensor.FromArray(backend, data, shape);
    }

    private static Tensor Labels(string path, IBackend backend)
    {
        var idx = IdxFile.Read(path);
        if (idx.Shape.Length != 1) throw new InvalidDataException($"{path}: expected labels [N]; got [{string.Join(", ", idx.Shape)}]");
        return Tensor.FromArray(backend, idx.Data, idx.Shape[0]);
    }
}

public enum ImageLayout
{
    /// <summary>[N, 1, H, W]</summary>
    Channels,

    /// <summary>[N, H·W]</summary>
    Flat,

    /// <summary>[N, H, W]: each row a time step for recurrent layers.</summary>
    Rows,
}
