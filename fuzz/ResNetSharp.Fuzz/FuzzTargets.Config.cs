using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Training;

namespace ResNetSharp.Fuzz;

/// <summary>The target of the command-line interface's <c>--config</c> YAML reader.</summary>
public sealed partial class FuzzTargets
{
    /// <summary><c>resnet train</c>'s flags (<see cref="TrainOptions"/>' settings and <c>--config</c>), made at the first input.</summary>
    private (Command Command, SettingOptions<TrainOptions> Settings)? _train;

    /// <summary>A <c>--config</c> file read for the train flags, bound to <see cref="TrainOptions"/> and validated.</summary>
    private void ConfigYaml(string path)
    {
        var (command, settings) = _train ??= TrainFlags();
        var config = ConfigFile.Parse(path, command);
        settings.Read(command.Parse([]), config).Validate();
    }

    private static (Command, SettingOptions<TrainOptions>) TrainFlags()
    {
        var command = new Command("train");
        var settings = new SettingOptions<TrainOptions>().AddTo(command);
        command.Options.Add(ConfigFile.Option());
        return (command, settings);
    }
}
