using ResNetSharp.Settings;
using ResNetSharp.Training;

namespace ResNetSharp.Training;

/// <summary>The <c>resnet train</c> command line that reproduces a run's options: every declared setting with a value (<see cref="Setting"/>).</summary>
internal static class TrainCommandLine
{
    /// <summary>The command line; <c>--resume</c> is left out (the command reproduces the run from the start).</summary>
    public static string For(TrainOptions o)
    {
        var words = new List<string> { "resnet", "train" };
        foreach (var setting in Setting.Of<TrainOptions>().Where(s => s.Property != nameof(TrainOptions.Resume)))
            if (setting.Get(o) is { } value) words.AddRange([setting.Option, Quote(Setting.Format(value))]);
        return string.Join(' ', words);
    }

    /// <summary>POSIX shell quoting where needed.</summary>
    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_.,:/=+@".Contains(c)) ? s : $"'{s.Replace("'", "'\\''")}'";
}
