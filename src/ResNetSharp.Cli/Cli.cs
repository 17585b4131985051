using System.CommandLine;
using Spectre.Console;

namespace ResNetSharp.Cli;

/// <summary>The CLI's entry point, callable in-process with any writers (the tests use it).</summary>
internal static class Cli
{
    /// <summary>Parses and runs <paramref name="args"/>; user errors become one line on <paramref name="error"/> and exit code 2.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        // Exceptions must reach CliErrors, which prints input errors as one line instead of a stack trace.
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        return CliErrors.Run(() =>
        {
            var parsed = Program.Root().Parse(args);
            if (parsed.Errors.Count == 0) return parsed.Invoke(configuration);
            // Bad flags or values: one line naming them and where the options are listed, as for any other input error.
            var names = new List<string>();
            for (var c = parsed.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
                names.Insert(0, c.Parent is null ? "resnet" : c.Command.Name);   // the root is named after the host process
            string command = string.Join(" ", names);
            error.WriteLine($"error: {string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')))}; see '{command} --help' for the options.");
            return CliErrors.UserError;
        }, error);
    }

    /// <summary>A Spectre.Console console writing to the invocation's output, for tables.</summary>
    public static IAnsiConsole Console(ParseResult result) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(result.InvocationConfiguration.Output) });
}
