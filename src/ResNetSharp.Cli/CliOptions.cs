using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data.Images;
using ResNetSharp.Inference;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Settings;

namespace ResNetSharp.Cli;

/// <summary>
/// Options several commands share, each built from its one declaration (<see cref="InferenceSettings"/>,
/// <see cref="EngineSettings"/>) for the commands that add them one by one, and the CLI's handling of their values.
/// </summary>
internal static class CliOptions
{
    /// <summary><c>--device auto|cpu|cuda|cuda:N</c> (default auto), <see cref="InferenceSettings.Device"/>.</summary>
    public static Option<string> Device() => (Option<string>)One<InferenceSettings>("device");

    /// <summary><c>--engine auto|torch|onnxruntime</c>, <see cref="EngineSettings.Kind"/> as text, with the commands' default (auto, <see cref="PredictOptions.Engine"/>).</summary>
    public static Option<string?> Engine() => (Option<string?>)One<PredictOptions>("engine");

    /// <summary><c>--threads N</c> (default 0: one per core), <see cref="EngineSettings.Threads"/>, for the commands that add it alone.</summary>
    public static Option<int> Threads() => (Option<int>)One<EngineSettings>("threads");

    /// <summary>
    /// Checks <paramref name="threads"/> (<see cref="EngineSettings.Threads"/>) and, when it is not 0, sets torch's
    /// intra-op threads to it: torch's thread pool is per process, so a command sets it once, at its start.
    /// Returns <paramref name="threads"/> for the ONNX Runtime sessions the command opens.
    /// </summary>
    public static int UseThreads(int threads)
    {
        new EngineSettings(Threads: threads).Validate();
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        return threads;
    }

    /// <summary>
    /// Adds <c>--max-pixels N</c> (<see cref="InferenceSettings.MaxPixels"/>) to <paramref name="command"/>: the
    /// decompression-bomb guard of the image decoders; apply it with <see cref="LimitPixels(ParseResult, Option{long})"/>.
    /// </summary>
    public static Option<long> MaxPixels(Command command)
    {
        var option = (Option<long>)One<InferenceSettings>("max-pixels");
        command.Options.Add(option);
        return option;
    }

    /// <summary>Sets the decoders' pixel limit from <c>--max-pixels</c>, with large-image warnings on the invocation's stderr.</summary>
    public static void LimitPixels(ParseResult result, Option<long> maxPixels) =>
        LimitPixels(result, new InferenceSettings { MaxPixels = result.GetValue(maxPixels) }.Validate());

    /// <summary>Sets the decoders' pixel limit from validated <paramref name="settings"/>, with large-image warnings on the invocation's stderr.</summary>
    public static void LimitPixels(ParseResult result, InferenceSettings settings)
    {
        var error = result.InvocationConfiguration.Error;
        (ImageFiles.MaxPixels, ImageFiles.Warn) = (settings.MaxPixels, message => error.WriteLine($"warning: {message}"));
    }

    /// <summary>
    /// The <c>IMAGE...</c> argument of predict and explain. A token that looks like a flag is one the command does not
    /// have (its own flags are parsed before), so it is an error rather than an image name (<c>./--name</c> for such a file).
    /// </summary>
    public static Argument<string[]> Images()
    {
        var images = new Argument<string[]>("IMAGE") { Description = "Image files (JPEG, PNG, BMP, GIF, WebP).", Arity = ArgumentArity.OneOrMore };
        images.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.StartsWith("--", StringComparison.Ordinal)))
                result.AddError($"Unrecognized command or argument '{token.Value}'");
        });
        return images;
    }

    /// <summary>A <c>--weights</c> value as a local file, downloading published weights first (said on stderr).</summary>
    public static string WeightsFile(ParseResult result, string model, string weights) =>
        PretrainedWeights.Resolve(model, weights, message => result.InvocationConfiguration.Error.WriteLine(message));

    /// <summary>The option of <typeparamref name="T"/>'s setting <paramref name="flag"/> alone.</summary>
    private static Option One<T>(string flag) where T : class, new() =>
        new SettingOptions<T>(unused: [.. Setting.Of<T>().Select(s => s.Flag).Where(f => f != flag)]).Options.Single();
}
