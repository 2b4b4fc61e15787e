using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace DeepMap.Protocol.Cluster;

/// <summary>
/// Typed reads of the DEEPMAP_* variables from configuration built with <c>AddEnvironmentVariables(Prefix)</c>, which
/// drops the prefix from the keys. Each getter takes the variable's full name, as the docs and the error spell it, and
/// gives its default when the variable is unset or blank: an empty value is how a container clears a variable its
/// image sets. A bad value is refused with one line that names the variable, the value and what was expected.
/// </summary>
public sealed class SettingsReader(IConfiguration configuration)
{
    public const string Prefix = "DEEPMAP_";

    /// <summary>The refusal every getter gives, for the checks the settings make themselves.</summary>
    public static ArgumentException Invalid(string name, string value, string expected) => new($"{name}: '{value}' is not {expected}");

    /// <summary>The value as given, or null when unset.</summary>
    public string? Text(string name) => Value(name);

    public string Text(string name, string fallback) => Value(name) ?? fallback;

    public int Int(string name, int fallback, int min, int max) =>
        Value(name) is { } text ? Whole(name, text, min, max, $"a whole number in [{min}, {max}]") : fallback;

    /// <summary>
    /// A port to serve on, or null when unset. Port 0 (any free port) is refused: whoever connects there must know
    /// the port beforehand.
    /// </summary>
    public int? Port(string name) => Value(name) is { } text ? Whole(name, text, 1, 65535, "a port in [1, 65535]") : null;

    public TimeSpan Milliseconds(string name, int fallback, int min, int max) => TimeSpan.FromMilliseconds(
        Value(name) is { } text ? Whole(name, text, min, max, $"a whole number of milliseconds in [{min}, {max}]") : fallback);

    public TimeSpan Seconds(string name, double fallback, double min, double max) =>
        Seconds(name, fallback, s => s >= min && s <= max, $"a number of seconds in [{min}, {max}]");

    /// <summary>More than zero seconds, at most <paramref name="max"/>: for a delay where zero means nothing.</summary>
    public TimeSpan PositiveSeconds(string name, double fallback, double max) =>
        Seconds(name, fallback, s => s > 0 && s <= max, $"a number of seconds in (0, {max}]");

    /// <summary>More than zero seconds, as long as a <see cref="TimeSpan"/> holds (some 29 000 years).</summary>
    public TimeSpan PositiveSeconds(string name, double fallback) =>
        Seconds(name, fallback, s => s > 0 && s < TimeSpan.MaxValue.TotalSeconds, "a positive number of seconds");

    /// <summary>One of <paramref name="choices"/>, the first when unset.</summary>
    public string OneOf(string name, params string[] choices) => Value(name) switch
    {
        null => choices[0],
        var text when choices.Contains(text) => text,
        var text => throw Invalid(name, text, $"one of {string.Join(", ", choices)}"),
    };

    /// <summary>
    /// The items between <paramref name="separator"/>s, trimmed, empty ones dropped; <paramref name="fallback"/> is
    /// written as the variable would be.
    /// </summary>
    public IReadOnlyList<string> List(string name, char separator, string fallback = "") =>
        (Value(name) ?? fallback).Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The path made absolute against the working directory at start, so a later change of it does not move it.</summary>
    public string FullPath(string name, string fallback) => Path.GetFullPath(Value(name) ?? fallback);

    /// <summary>The path of a file that exists, as given, or null when unset.</summary>
    public string? ExistingFile(string name) => Value(name) switch
    {
        null => null,
        var path when File.Exists(path) => path,
        var path => throw new ArgumentException($"{name}: '{path}' does not exist"),
    };

    private string? Value(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            throw new ArgumentOutOfRangeException(nameof(name), name, $"a setting's name starts with {Prefix}");
        return configuration[name[Prefix.Length..]] is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;
    }

    private static int Whole(string name, string text, int min, int max, string expected) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Invalid(name, text, expected);

    // "NaN" parses as a double: each range check is a conjunction of comparisons, which NaN fails.
    private TimeSpan Seconds(string name, double fallback, Func<double, bool> within, string expected) => Value(name) switch
    {
        null => TimeSpan.FromSeconds(fallback),
        var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && within(seconds) => TimeSpan.FromSeconds(seconds),
        var text => throw Invalid(name, text, expected),
    };
}
