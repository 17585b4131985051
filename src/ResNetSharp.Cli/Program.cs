using ResNetSharp.Cli;
using System.CommandLine;
using ResNetSharp.Cli.Commands;

var root = new RootCommand("resnet: build, train, evaluate and deploy residual networks on TorchSharp.");
foreach (var command in new[]
{
    ModelsCommand.Create(),
    BenchCommand.Create(),
})
{
    root.Subcommands.Add(command);
}
return CliErrors.Run(() => root.Parse(args).Invoke());
