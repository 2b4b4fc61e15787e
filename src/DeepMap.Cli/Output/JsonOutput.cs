using System.Text.Json;

namespace DeepMap.Cli.Output;

/// <summary>What --json prints for results the CLI makes itself, with field names as the API spells its own (snake_case).</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Of(object value) => JsonSerializer.Serialize(value, Options);
}
