using System.CommandLine;
using System.Text.Json;
using ResNetSharp.Models;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet models [--json]</c>: every named model with its parameter count and description.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("models", "List the named models with their parameter counts.") { json };
        command.SetAction(result =>
        {
            var rows = ModelZoo.Entries.Select(e => new
            {
                name = e.Name,
                parameters = ParameterCount(e),
                description = e.Description,
            }).ToList();
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            foreach (var r in rows) Console.WriteLine($"{r.name,-18} {r.parameters,14:N0}  {r.description}");
            return 0;
        });
        return command;
    }

    private static long ParameterCount(ModelZoo.Entry entry)
    {
        using var model = new ResNet(entry.Config);
        return model.parameters().Sum(p => p.numel());
    }
}
