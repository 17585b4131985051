
namespace ResNetSharp.Tests.Training;

/// <summary>Bad input to train, eval and predict: exit code 2 and one error line, before any work is done.</summary>
public class CliErrorTests
{
    [Theory]
    [InlineData("--lr must be a positive number", "train", "--lr", "0")]
    [InlineData("--epochs must be at least 1", "train", "--epochs", "0")]
    [InlineData("--momentum must be in [0, 1)", "train", "--momentum", "1.5")]
    [InlineData("unknown optimizer 'adam'", "train", "--optimizer", "adam")]
    [InlineData("unknown schedule 'linear'", "train", "--schedule", "linear")]
    [InlineData("checkpoint not found", "eval", "--checkpoint", "/nonexistent/best.safetensors")]
    [InlineData("give either --checkpoint FILE", "predict", "x.png")]
    public void Bad_input_is_one_line_and_exit_code_2(string message, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, global::ResNetSharp.Cli.Cli.Run(args, output, error));
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }
}
