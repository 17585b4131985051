using ResNetSharp.Cli.Options;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

/// <summary>Library errors name the property; the CLI shows its flag.</summary>
public class FlagNamesTests
{
    [Fact]
    public void Library_errors_name_properties_and_the_cli_shows_flags()
    {
        var e = Assert.Throws<ResNetSharpException>(() => new TrainOptions { WarmupEpochs = 3 }.Validate());
        Assert.Equal("TrainOptions.WarmupEpochs must be in [0, TrainOptions.Epochs = 2), not 3.", e.Message);
        Assert.Equal("--warmup-epochs must be in [0, --epochs = 2), not 3.", FlagNames.Translate(e.Message));
        Assert.Equal("Foo.Bar and TrainOptions.ProgressEvery stay", FlagNames.Translate("Foo.Bar and TrainOptions.ProgressEvery stay"));   // no flags
    }

    [Theory]
    [InlineData("--workers must be at least 1, not 0", "train", "--workers", "0")]
    [InlineData("--prefetch must be at least 1, not 0", "lr-find", "--prefetch", "0")]
    [InlineData("--nesterov needs a --momentum above 0", "train", "--momentum", "0")]
    public void Cli_errors_name_the_flag(string message, params string[] args) =>
        Assert.Contains("error: " + message, CliTests.Run(args).Err);
}
