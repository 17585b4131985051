using System.CommandLine;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Models;
using ResNetSharp.Models.Inspection;
using Spectre.Console;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet models [--json]</c>: every named model with its parameter count, description and torchvision's published weights.</summary>
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
                Name = e.Name,
                Parameters = MetaDevice.ParameterCount(e.Config),
                Description = e.Description,
                Weights = PretrainedWeights.All.Where(w => w.Model == e.Name).Select(w => $"{w.Tag} ({w.ImageNetTop1:F2}%)").ToList(),
            }).ToList();
            if (result.GetValue(json))
            {
                CliJson.Write(result, rows);
                return 0;
            }
            var table = new Table().AddColumn("model").AddColumn(new TableColumn("parameters").RightAligned()).AddColumn("description")
                .AddColumn("ImageNet weights");
            foreach (var r in rows) table.AddRow(r.Name, $"{r.Parameters:N0}", Markup.Escape(r.Description), string.Join("\n", r.Weights.Select(w => w.Replace("IMAGENET1K_", ""))));
            Cli.Console(result).Write(table);
            return 0;
        });
        return command;
    }
}
