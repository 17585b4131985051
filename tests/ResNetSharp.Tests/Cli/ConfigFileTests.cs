using System.CommandLine;
using ResNetSharp.Cli.Commands;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data.Images;
using ResNetSharp.Tests.Data;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Cli;

/// <summary><c>resnet train --config FILE.yaml</c>: the file sets the flags, the command line overrides them, args.yaml reproduces the run.</summary>
public class ConfigFileTests
{
    /// <summary>The options <c>resnet train ARGS</c> would train with (the command's own binding, without training).</summary>
    private static TrainOptions Bind(params string[] args)
    {
        TrainOptions? bound = null;
        var command = TrainCommand.Create(run: (_, options) => { bound = options; return 0; });
        var parsed = command.Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal(0, parsed.Invoke());
        return bound!;
    }

    [Fact]
    public void The_file_sets_the_flags_and_the_command_line_overrides_them()
    {
        using var dir = new TempDir();
        string file = dir.Combine("c.yaml");
        File.WriteAllText(file, "# timm-style args file\nepochs: 3\nbatch-size: 16\nlr: 0.05\noptimizer: adamw\nworkers: 2\nchannels-last: false\ndownload: true\nema: 0.99\ndecode: fast\nout: 'runs/a b'\nclip-grad:\n");
        var o = Bind("--config", file, "--epochs", "5", "--decode", "exact", "--seed", "7");
        Assert.Equal((5, 16, 0.05, OptimizerKind.AdamW, 7), (o.Epochs, o.BatchSize, o.Lr, o.Optimizer, o.Seed));
        Assert.Equal((2, (DecodeMode?)DecodeMode.Exact, false, true, (double?)0.99), (o.Loader.Workers, o.Loader.Decode, o.ChannelsLast, o.Download, o.Ema));
        Assert.Equal(("runs/a b", (double?)null, "resnet20"), (o.OutDir, o.ClipGrad, o.Model));   // quoted value; null key; default
        Assert.Equal(new TrainOptions(), Bind());   // no flags: the record's defaults
    }

    [Theory]
    [InlineData("batch-size: 1\nlearning-rate: 0.1\n", "unknown key 'learning-rate' in config file")]
    [InlineData("--lr: 0.1\n", "unknown key '--lr' in config file")]
    [InlineData("report: true\n", "unknown key 'report' in config file")]   // train's, not lr-find's
    [InlineData("batch-size: many\n", "Cannot parse argument 'many' for option '--batch-size'")]
    [InlineData("epochs: 3\n", "unknown key 'epochs' in config file")]   // lr-find does not use it
    [InlineData("optimizer: adam\n", "unknown optimizer 'adam'")]
    [InlineData("seed: [1, 2]\n", "'seed' in config file")]
    [InlineData("- epochs\n", "must be a mapping of flags to values")]
    [InlineData("seed: 'x\n", "is not valid YAML")]
    [InlineData("seed: 1\nseed: 2\n", "is not valid YAML (Duplicate key seed, line 2)")]
    [InlineData("seed: *n\n", "is not valid YAML (the alias *n names no earlier single value, line 1)")]
    [InlineData("!!+E", "is not valid YAML (Global tags must be valid URIs")]   // YamlDotNet's ArgumentException
    [InlineData(": \n\n [[[[[[[\np\n", "is not valid YAML (Operation is not valid")]   // its InvalidOperationException
    public void A_bad_file_is_one_error_naming_it(string yaml, string message)
    {
        using var dir = new TempDir();
        string file = dir.Combine("bad.yaml");
        File.WriteAllText(file, yaml);
        var r = CliTests.Run("lr-find", "--config", file);
        Assert.Equal(2, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
        Assert.Contains(file, line);
    }

    [Theory]
    [InlineData("--epochs", "3")]
    [InlineData("--resume", "runs/x")]
    [InlineData("--ema", "0.99")]
    public void Lr_find_rejects_train_flags_it_does_not_use(string flag, string value) =>
        Assert.Contains($"Unrecognized command or argument '{flag}'", CliTests.Run("lr-find", flag, value).Err);

    [Fact]
    public void Aliases_of_single_values_bind_and_values_are_taken_as_written()
    {
        using var dir = new TempDir();
        string file = dir.Combine("c.yaml");
        File.WriteAllText(file, "epochs: &n 4\nearly-stopping: *n\nout: '@runs/a'\n");
        var o = Bind("--config", file);
        Assert.Equal((4, (int?)4, "@runs/a"), (o.Epochs, o.EarlyStopping, o.OutDir));   // '@' is no response file
    }

    // Nesting deep enough to overflow YamlDotNet's recursive document loader, and a file past the size bound: one error each.
    [Theory]
    [InlineData(100_000, "must be a single value, not a list or mapping")]
    [InlineData(ConfigYaml.MaxBytes, "more than a file of flags can be")]
    public void A_deep_or_huge_file_is_one_error(long size, string message)
    {
        using var dir = new TempDir();
        string file = dir.Combine("big.yaml");
        File.WriteAllText(file, "seed: " + new string('[', (int)size));
        var r = CliTests.Run("train", "--config", file);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void A_missing_file_is_one_error() =>
        Assert.Contains("config file '/nonexistent/c.yaml' does not exist", CliTests.Run("train", "--config", "/nonexistent/c.yaml").Err);

    [Fact]
    public void The_run_directory_gets_the_merged_file_which_reproduces_the_run()
    {
        using var dir = new TempDir();
        ImageFolderTests.WriteFolder(dir.Combine("data"), 40, 30, perClass: 4);
        string file = dir.Combine("c.yaml");
        File.WriteAllText(file, $"model: small_resnet\ndata: folder:{dir.Combine("data")}\nimage-size: 24\nepochs: 1\nbatch-size: 4\nlr: 0.5\ndevice: cpu\nworkers: 1\naugment: crop=2,flip\n");
        string run = dir.Combine("run");
        string[] args = ["--config", file, "--lr", "0.05", "--seed", "3", "--out", run];
        var train = CliTests.Run(["train", .. args]);
        Assert.True(train.Code == 0, train.Err);
        string merged = Path.Combine(run, ConfigFile.RunArgs);
        Assert.Contains("lr: 0.05\n", File.ReadAllText(merged));
        Assert.Contains("seed: 3\n", File.ReadAllText(merged));
        var reproduced = Bind("--config", merged);
        Assert.Equal(Bind(args), reproduced);
        Assert.Equal(0.05, reproduced.Lr);
    }
}
