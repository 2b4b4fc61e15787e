using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DeepMap.Protocol.Jobs;

/// <summary>A node of the parsed spec with its path, so every error names the field it is about.</summary>
internal sealed class SpecNode(YamlNode? node, string path)
{
    public string Path { get; } = path;

    public bool IsMissing => node is null || node is YamlScalarNode { Value: null or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain };

    public JobSpecException Error(string message) => new(Path, message);

    private string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public YamlMappingNode Mapping(params string[] allowedKeys)
    {
        if (node is not YamlMappingNode mapping) throw Error($"expected a mapping of {string.Join(", ", allowedKeys)}; got {Describe(node)}");
        foreach (var key in mapping.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowedKeys.Contains(name))
                throw new JobSpecException(Child(name), $"unknown key '{name}'; expected one of {string.Join(", ", allowedKeys)}");
        }
        return mapping;
    }

    public SpecNode this[string key]
    {
        get
        {
            var mapping = node as YamlMappingNode;
            YamlNode? child = null;
            mapping?.Children.TryGetValue(new YamlScalarNode(key), out child);
            return new SpecNode(child, Child(key));
        }
    }

    public IReadOnlyList<SpecNode> Items()
    {
        if (node is not YamlSequenceNode sequence) throw Error($"expected a list; got {Describe(node)}");
        return sequence.Children.Select((c, i) => new SpecNode(c, $"{Path}[{i}]")).ToArray();
    }

    /// <summary>A list item of the form `name: {…}` (or a bare `name`): the name and the node of its settings.</summary>
    public (string Name, SpecNode Settings) Tagged()
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } bare }:
                return (bare, new SpecNode(new YamlMappingNode(), Child(bare)));
            case YamlMappingNode { Children.Count: 1 } single:
                var (key, value) = single.Children.First();
                var name = (key as YamlScalarNode)?.Value ?? "";
                var settings = value is YamlScalarNode { Value: null or "" or "~" or "null" } ? new YamlMappingNode() : value;
                return (name, new SpecNode(settings, Child(name)));
            default:
                throw Error($"expected one entry like 'dense: {{units: 64}}'; got {Describe(node)}");
        }
    }

    public string Text(string? fallback = null)
    {
        if (IsMissing) return fallback ?? throw Error("is required");
        if (node is not YamlScalarNode { Value: { } value }) throw Error($"expected text; got {Describe(node)}");
        return value;
    }

    public string? OptionalText() => IsMissing ? null : Text();

    public long Integer(long? fallback = null, long min = long.MinValue, long max = long.MaxValue)
    {
        if (IsMissing) return fallback ?? throw Error("is required");
        var text = Scalar("a whole number");
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Error($"expected a whole number; got '{text}'");
        if (value < min || value > max)
            throw Error(max == long.MaxValue ? $"must be at least {min}; got {value}" : $"must be between {min} and {max}; got {value}");
        return value;
    }

    public int Int(int? fallback = null, int min = int.MinValue, int max = int.MaxValue) => (int)Integer(fallback, min, max);

    public double Number(double? fallback = null)
    {
        if (IsMissing) return fallback ?? throw Error("is required");
        var text = Scalar("a number");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error($"expected a number; got '{text}'");
        return value;
    }

    public bool Flag(bool fallback)
    {
        if (IsMissing) return fallback;
        return Scalar("true or false") switch
        {
            "true" or "True" => true,
            "false" or "False" => false,
            var other => throw Error($"expected true or false; got '{other}'"),
        };
    }

    public T Choice<T>(IReadOnlyDictionary<string, T> choices, T? fallback = default, bool required = false)
    {
        if (IsMissing)
        {
            if (required || fallback is null) throw Error($"is required: one of {string.Join(", ", choices.Keys)}");
            return fallback;
        }
        var text = Scalar("a name");
        return choices.TryGetValue(text, out var value) ? value : throw Error($"'{text}' is not one of {string.Join(", ", choices.Keys)}");
    }

    private string Scalar(string expected) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error($"expected {expected}; got {Describe(node)}");

    private static string Describe(YamlNode? n) => n switch
    {
        null => "nothing",
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => n.NodeType.ToString(),
    };
}
