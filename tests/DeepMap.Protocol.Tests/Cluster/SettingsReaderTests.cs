using DeepMap.Protocol.Cluster;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Tests.Cluster;

/// <summary>The DEEPMAP_* binder: each getter's default, a valid value, and the one-line refusal naming the variable.</summary>
public sealed class SettingsReaderTests
{
    private const string Name = "DEEPMAP_X";

    /// <summary>A reader over DEEPMAP_X set to <paramref name="value"/>, or unset when null (keys without the prefix, as AddEnvironmentVariables leaves them).</summary>
    private static SettingsReader Reader(string? value) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(value is null ? [] : [new KeyValuePair<string, string?>("X", value)]).Build());

    private static string Refusal(Action read) => Assert.Throws<ArgumentException>(read).Message;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void An_unset_or_blank_variable_gives_every_default(string? value)
    {
        var read = Reader(value);
        Assert.Null(read.Text(Name));
        Assert.Equal("d", read.Text(Name, "d"));
        Assert.Equal(7, read.Int(Name, 7, 0, 10));
        Assert.Null(read.Port(Name));
        Assert.Equal(TimeSpan.FromMilliseconds(5), read.Milliseconds(Name, 5, 0, 10));
        Assert.Equal(TimeSpan.FromSeconds(20), read.Seconds(Name, 20, 1, 3600));
        Assert.Equal(TimeSpan.FromSeconds(10), read.PositiveSeconds(Name, 10, 60));
        Assert.Equal(TimeSpan.FromSeconds(30), read.PositiveSeconds(Name, 30));
        Assert.Equal("a", read.OneOf(Name, "a", "b"));
        Assert.Equal(["./x", "/y"], read.List(Name, ':', "./x:/y"));
        Assert.Empty(read.List(Name, ','));
        Assert.Equal(Path.GetFullPath("./state"), read.FullPath(Name, "./state"));
        Assert.Null(read.ExistingFile(Name));
    }

    [Fact]
    public void A_valid_value_is_read_as_its_type()
    {
        Assert.Equal(" 10.0.0.1", Reader(" 10.0.0.1").Text(Name, "d"));
        Assert.Equal(0, Reader("0").Int(Name, 7, 0, 10));
        Assert.Equal(10, Reader(" 10 ").Int(Name, 7, 0, 10));
        Assert.Equal(65535, Reader("65535").Port(Name));
        Assert.Equal(TimeSpan.FromMilliseconds(80), Reader("80").Milliseconds(Name, 0, 0, 100));
        Assert.Equal(TimeSpan.FromSeconds(1), Reader("1").Seconds(Name, 20, 1, 3600));
        Assert.Equal(TimeSpan.FromSeconds(7.5), Reader("7.5").Seconds(Name, 20, 1, 3600));
        Assert.Equal(TimeSpan.FromSeconds(86400), Reader("86400").PositiveSeconds(Name, 10, 86400));
        Assert.Equal(TimeSpan.FromSeconds(1e6), Reader("1e6").PositiveSeconds(Name, 30));
        Assert.Equal("b", Reader("b").OneOf(Name, "a", "b"));
        Assert.Equal(["a:1", "b:2"], Reader(" a:1, ,b:2 ").List(Name, ','));
        Assert.Equal(Path.GetFullPath("/var/lib/x"), Reader("/var/lib/x").FullPath(Name, "./state"));
        var file = Path.GetTempFileName();
        try
        {
            Assert.Equal(file, Reader(file).ExistingFile(Name));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("11")]
    [InlineData("2.5")]
    [InlineData("ten")]
    public void A_whole_number_out_of_range_or_not_whole_is_refused_by_name(string text) =>
        Assert.Equal($"DEEPMAP_X: '{text}' is not a whole number in [0, 10]", Refusal(() => Reader(text).Int(Name, 7, 0, 10)));

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("http")]
    public void A_port_to_serve_on_must_be_fixed_and_in_range(string text) =>
        Assert.Equal($"DEEPMAP_X: '{text}' is not a port in [1, 65535]", Refusal(() => Reader(text).Port(Name)));

    [Theory]
    [InlineData("101")]
    [InlineData("0.5")]
    public void Milliseconds_are_whole_and_in_range(string text) =>
        Assert.Equal($"DEEPMAP_X: '{text}' is not a whole number of milliseconds in [0, 100]", Refusal(() => Reader(text).Milliseconds(Name, 0, 0, 100)));

    [Theory]
    [InlineData("0.5")]
    [InlineData("3600.5")]
    [InlineData("NaN")]
    [InlineData("soon")]
    public void Seconds_outside_a_closed_range_are_refused_by_name(string text) =>
        Assert.Equal($"DEEPMAP_X: '{text}' is not a number of seconds in [1, 3600]", Refusal(() => Reader(text).Seconds(Name, 20, 1, 3600)));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("86401")]
    [InlineData("NaN")]
    public void Positive_seconds_with_a_bound_refuse_zero_and_beyond_the_bound(string text) =>
        Assert.Equal($"DEEPMAP_X: '{text}' is not a number of seconds in (0, 86400]", Refusal(() => Reader(text).PositiveSeconds(Name, 10, 86400)));

    [Theory]
    [InlineData("0")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e300")]
    public void Positive_seconds_without_a_bound_refuse_what_a_timespan_cannot_hold(string text) =>
        Assert.Equal($"DEEPMAP_X: '{text}' is not a positive number of seconds", Refusal(() => Reader(text).PositiveSeconds(Name, 30)));

    [Fact]
    public void A_choice_outside_the_list_is_refused_naming_the_choices() =>
        Assert.Equal("DEEPMAP_X: 'gpu' is not one of auto, cpu", Refusal(() => Reader("gpu").OneOf(Name, "auto", "cpu")));

    [Fact]
    public void A_file_that_does_not_exist_is_refused_by_name()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"deepmap-missing-{Guid.NewGuid():N}.pfx");
        Assert.Equal($"DEEPMAP_X: '{missing}' does not exist", Refusal(() => Reader(missing).ExistingFile(Name)));
    }

    [Fact]
    public void A_check_a_settings_class_makes_itself_refuses_in_the_same_shape() =>
        Assert.Equal("DEEPMAP_X: 'a' is not host:port", SettingsReader.Invalid(Name, "a", "host:port").Message);

    [Fact]
    public void A_name_without_the_prefix_is_a_mistake_in_the_code_not_an_unset_variable() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Reader("1").Int("X", 7, 0, 10));
}
