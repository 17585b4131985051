using ResNetSharp.Cli;
using System.CommandLine;
using ResNetSharp.Cli.Commands;

return Cli.Run(args, Console.Out, Console.Error);

internal static partial class Program
{
    /// <summary>The root command with every sub-command, one line each.</summary>
    internal static RootCommand Root()
    {
        var root = new RootCommand("resnet: build, train, evaluate and deploy residual networks on TorchSharp.");
        foreach (var command in new[]
        {
            ModelsCommand.Create(),
            SummaryCommand.Create(),
            TrainCommand.Create(),
            LrFindCommand.Create(),
            EvalCommand.Create(),
            PredictCommand.Create(),
            ExplainCommand.Create(),
            ReportCommand.Create(),
            ExportCommand.Create(),
            QuantizeCommand.Create(),
            ExperimentCommand.Create(),
            BenchCommand.Create(),
            DataCommand.Create(),
            ServeCommand.Create(),
        })
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
