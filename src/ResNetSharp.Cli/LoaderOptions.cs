using System.CommandLine;
using ResNetSharp.Data.Loading;

namespace ResNetSharp.Cli;

/// <summary>The streaming loaders' flags, shared by train, eval and bench: --workers, --prefetch, --decode, --on-bad-image.</summary>
internal sealed class LoaderOptions
{
    private readonly Option<int?> _workers = new("--workers") { Description = "Image-decoding threads for folder data (default: the cores)." };
    private readonly Option<int?> _prefetch = new("--prefetch") { Description = "Decoded batches queued ahead of the model (default: twice the workers)." };
    private readonly Option<string?> _decode = new("--decode") { Description = "fast (reduced-scale JPEG decoding of the crop only) or exact (full decode); default fast for training, exact for validation." };
    private readonly Option<string> _onBad = new("--on-bad-image") { Description = "error (stop, naming the file) or skip (leave it out, warn once, count it in metrics).", DefaultValueFactory = _ => "error" };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public LoaderOptions AddTo(Command command)
    {
        foreach (var option in new Option[] { _workers, _prefetch, _decode, _onBad }) command.Options.Add(option);
        return this;
    }

    /// <summary>The settings the flags give; bad values are one clear error.</summary>
    public LoaderSettings Read(ParseResult result) => new LoaderSettings
    {
        Workers = result.GetValue(_workers),
        Prefetch = result.GetValue(_prefetch),
        Decode = result.GetValue(_decode) is { } d ? LoaderSettings.ParseDecode(d) : null,
        OnBadImage = LoaderSettings.ParseBadImage(result.GetValue(_onBad)!),
    }.Validate();
}
