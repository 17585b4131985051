using ResNetSharp.Data.Loading;
using ResNetSharp.Experiments;
using ResNetSharp.Quantization;
using ResNetSharp.Settings;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Settings;

public class SettingTests
{
    /// <summary>A mutable settings class, as ASP.NET Core configuration binds (the serving options are one).</summary>
    private sealed class Mutable
    {
        [Setting("port", "The port.")]
        public int Port { get; set; } = 8080;

        [Setting("host", "The host.")]
        public string? Host { get; set; }

        public int NotASetting { get; set; } = 1;
    }

    [Fact]
    public void Settings_are_declared_once_with_flag_default_and_description()
    {
        var settings = Setting.Of<TrainOptions>();
        Assert.Equal(settings.Count, settings.Select(s => s.Flag).Distinct().Count());
        var batch = settings.Single(s => s.Property == nameof(TrainOptions.BatchSize));
        Assert.Equal(("batch-size", "--batch-size", 64, typeof(int)), (batch.Flag, batch.Option, batch.Default, batch.Type));
        var workers = settings.Single(s => s.Flag == "workers");   // the loader group, flattened
        Assert.Equal(nameof(LoaderSettings.Workers), workers.Property);
        Assert.DoesNotContain(settings, s => s.Property is nameof(TrainOptions.ProgressEvery) or nameof(TrainOptions.DecayNormAndBias));
        Assert.All(settings, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
    }

    [Fact]
    public void Create_sets_given_values_and_never_changes_shared_defaults()
    {
        var o = Setting.Create<TrainOptions>(s => s.Flag switch { "workers" => (true, 3), "epochs" => (true, 9), _ => (false, null) });
        Assert.Equal((3, 9), (o.Loader.Workers, o.Epochs));
        Assert.Null(LoaderSettings.Default.Workers);
        Assert.Null(new TrainOptions().Loader.Workers);
        var m = Setting.Create<Mutable>(s => s.Flag == "host" ? (true, "0.0.0.0") : (false, null));
        Assert.Equal(("0.0.0.0", 8080), (m.Host, m.Port));
        Assert.Equal(["port", "host"], Setting.Of<Mutable>().Select(s => s.Flag));
    }

    [Theory]
    [InlineData(true, "true")]
    [InlineData(0.1, "0.1")]
    [InlineData(OptimizerKind.AdamW, "adamw")]
    [InlineData(ResNetSharp.Runtime.Precision.BF16, "bf16")]
    public void Values_format_as_the_command_line_writes_them(object value, string text) => Assert.Equal(text, Setting.Format(value));

    [Fact]
    public void Values_apply_to_a_copy_of_a_preset_which_stays_as_it_was()
    {
        var preset = new TrainOptions { Epochs = 5, BatchSize = 32 };
        var options = Setting.With(preset, s => s.Flag == "batch-size" ? (true, 8) : (false, null));
        Assert.Equal((5, 8), (options.Epochs, options.BatchSize));
        Assert.Equal(32, preset.BatchSize);
    }

    [Fact]
    public void Lists_format_comma_separated()
    {
        Assert.Equal("20,56", Setting.Format(new DegradationOptions().Depths));
        Assert.Equal("conv1,fc", Setting.Format(new QuantizeOptions { KeepFp32 = ["conv1", "fc"] }.KeepFp32));
        Assert.Equal("runs/x", Setting.Format("runs/x"));
    }
}
