using System.CommandLine;
using System.Text.Json;

namespace ResNetSharp.Cli;

/// <summary>The CLI's JSON output: indented, snake_case names.</summary>
internal static class CliJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Write(ParseResult result, object value) =>
        result.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(value, Options));
}
