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
        return CliErrors.Run(() => Program.Root().Parse(args).Invoke(configuration), error);
    }

    /// <summary>A Spectre.Console console writing to the invocation's output, for tables.</summary>
    public static IAnsiConsole Console(ParseResult result) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(result.InvocationConfiguration.Output) });
}
