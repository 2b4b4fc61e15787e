using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Tests.Learning;

/// <summary>Fashion-MNIST loaded once for the learning tests (CI installs Debian's dataset-fashion-mnist).</summary>
public sealed class FashionMnistFixture
{
    public FashionMnistFixture()
    {
        Assert.True(FashionMnist.IsInstalled(), $"Fashion-MNIST is not installed at {FashionMnist.DefaultDirectory}: apt-get install -y dataset-fashion-mnist");
        Channels = FashionMnist.Load(layout: ImageLayout.Channels);
    }

    public FashionMnist Channels { get; }

    public (Tensor X, Tensor Y) Train(int[] shape) => (Channels.TrainImages.Reshape([Channels.TrainImages.Shape[0], .. shape]), Channels.TrainLabels);

    public (Tensor X, Tensor Y) Test(int[] shape) => (Channels.TestImages.Reshape([Channels.TestImages.Shape[0], .. shape]), Channels.TestLabels);
}
