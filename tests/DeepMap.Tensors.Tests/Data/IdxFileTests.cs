using System.IO.Compression;
using DeepMap.Tensors.Data;

namespace DeepMap.Tensors.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private const string FashionMnistTestLabels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

    private readonly string _directory = Directory.CreateTempSubdirectory("deepmap-idx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Written_ubyte_file_reads_back_with_shape_and_values(bool gzip)
    {
        var path = Path.Combine(_directory, "images-idx3-ubyte");
        IdxFile.Write(path, [2, 1, 3], [0, 1, 2, 127, 128, 255], gzip);

        var array = IdxFile.Read(path);

        Assert.Equal([2, 1, 3], array.Shape);
        Assert.Equal([0f, 1f, 2f, 127f, 128f, 255f], array.Data);
    }

    [Fact]
    public void Gzip_flag_decides_whether_the_file_is_compressed()
    {
        var raw = Path.Combine(_directory, "raw");
        var zipped = Path.Combine(_directory, "zipped");
        IdxFile.Write(raw, [4], [9, 8, 7, 6], gzip: false);
        IdxFile.Write(zipped, [4], [9, 8, 7, 6], gzip: true);

        Assert.Equal(new byte[] { 0, 0, 0x08, 1, 0, 0, 0, 4, 9, 8, 7, 6 }, File.ReadAllBytes(raw));
        Assert.Equal(new byte[] { 0x1F, 0x8B }, File.ReadAllBytes(zipped)[..2]);
    }

    [Fact]
    public void Gzipped_stream_is_decompressed_transparently()
    {
        var idx = new byte[] { 0, 0, 0x08, 1, 0, 0, 0, 2, 3, 4 };
        var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(idx);
        zipped.Position = 0;

        var array = IdxFile.Read(zipped, "labels.gz");

        Assert.Equal([2], array.Shape);
        Assert.Equal([3f, 4f], array.Data);
    }

    [Fact]
    public void Big_endian_element_types_convert_to_float()
    {
        Assert.Equal([-1f, 127f, -128f], ReadBytes(0x09, 0xFF, 0x7F, 0x80));
        Assert.Equal([-2f, 300f], ReadBytes(0x0B, 0xFF, 0xFE, 0x01, 0x2C));
        Assert.Equal([-70000f], ReadBytes(0x0C, 0xFF, 0xFE, 0xEE, 0x90));
        Assert.Equal([1.5f], ReadBytes(0x0D, 0x3F, 0xC0, 0x00, 0x00));
        Assert.Equal([-0.25f], ReadBytes(0x0E, 0xBF, 0xD0, 0, 0, 0, 0, 0, 0));
    }

    [Fact]
    public void Wrong_magic_is_rejected_naming_the_source_and_bytes()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("bad.idx", 0x01, 0x00, 0x08, 1, 0, 0, 0, 1, 5));

        Assert.Equal("bad.idx: not an IDX file: bytes 0-1 are 0x01 0x00, expected 0x00 0x00", error.Message);
    }

    [Fact]
    public void Unknown_element_type_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("odd.idx", 0, 0, 0x07, 1, 0, 0, 0, 1, 5));

        Assert.StartsWith("odd.idx: byte 2: unknown IDX element type 0x07", error.Message);
    }

    [Fact]
    public void Zero_dimensions_are_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("flat.idx", 0, 0, 0x08, 0));

        Assert.Equal("flat.idx: byte 3: the IDX header declares 0 dimensions, at least 1 is needed", error.Message);
    }

    [Fact]
    public void Truncated_data_reports_expected_and_actual_element_counts()
    {
        byte[] bytes = [0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 3, .. new byte[9]];

        var error = Assert.Throws<InvalidDataException>(() => Read("short.idx", bytes));

        Assert.Equal("short.idx: truncated IDX data: expected 6 elements for shape [2, 3], found 4 (9 bytes)", error.Message);
    }

    [Fact]
    public void Truncated_header_is_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("cut.idx", 0, 0, 0x08, 3, 0, 0, 0, 2));

        Assert.Equal("cut.idx: truncated IDX header: 3 dimensions need 16 bytes, the file has 8", error.Message);
    }

    [Fact]
    public void Bytes_beyond_the_shape_are_rejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("long.idx", 0, 0, 0x08, 1, 0, 0, 0, 1, 5, 6));

        Assert.Equal("long.idx: IDX data longer than its shape: expected 1 elements for shape [1], found 2 (2 bytes)", error.Message);
    }

    [Fact]
    public void Write_rejects_a_shape_that_does_not_match_the_data()
    {
        var path = Path.Combine(_directory, "mismatch");

        Assert.Throws<ArgumentException>(() => IdxFile.Write(path, [2, 2], [1, 2, 3], gzip: false));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Fashion_mnist_test_labels_are_10000_labels_balanced_over_ten_classes()
    {
        var labels = IdxFile.Read(FashionMnistTestLabels);

        Assert.Equal([10000], labels.Shape);
        var counts = labels.Data.GroupBy(label => label).OrderBy(g => g.Key).Select(g => (g.Key, g.Count()));
        Assert.Equal(Enumerable.Range(0, 10).Select(c => ((float)c, 1000)), counts);
    }

    private static float[] ReadBytes(byte type, params byte[] elements)
    {
        var count = elements.Length / type switch { 0x0B => 2, 0x0C or 0x0D => 4, 0x0E => 8, _ => 1 };
        byte[] bytes = [0, 0, type, 1, 0, 0, 0, (byte)count, .. elements];
        return Read("typed.idx", bytes).Data;
    }

    private static IdxArray Read(string name, params byte[] bytes) => IdxFile.Read(new MemoryStream(bytes), name);
}
