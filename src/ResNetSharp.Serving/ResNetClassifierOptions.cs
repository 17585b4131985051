using ResNetSharp.Data.Images;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runs;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;

namespace ResNetSharp.Serving;

/// <summary>
/// What <see cref="ServingExtensions.AddResNetClassifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, ResNetClassifierOptions)"/>
/// serves and how: the model (a training checkpoint, a named model with weights and labels, or an ONNX model file), where and with
/// which engine it runs, and the dynamic batcher's and the HTTP endpoints' limits; or a model repository of several. The CLI's <c>resnet serve</c>
/// flags map one to one onto these properties.
/// </summary>
public sealed class ResNetClassifierOptions
{
    /// <summary>
    /// The model to serve: a checkpoint, a named model with weights and labels, or an ONNX model file. Its settings are
    /// flattened into these options (flags <c>--checkpoint</c>, <c>--model</c>, <c>--weights</c>, <c>--labels</c>,
    /// <c>--model-file</c>; configuration keys <c>ResNetClassifier:Checkpoint</c> and so on, through the properties below).
    /// </summary>
    [SettingsGroup]
    public ModelSource Source { get; set; } = new();
    /// <summary>A checkpoint written by <c>resnet train</c> (<see cref="ModelSource.Checkpoint"/>).</summary>
    public string? Checkpoint { get => Source.Checkpoint; set => Source = Source with { Checkpoint = value }; }
    /// <summary>A named model (e.g. <c>resnet18</c>), with <see cref="Weights"/> (<see cref="ModelSource.Model"/>).</summary>
    public string? Model { get => Source.Model; set => Source = Source with { Model = value }; }
    /// <summary>Weights for <see cref="Model"/>: a file or torchvision's published weights by tag (<see cref="ModelSource.Weights"/>).</summary>
    public string? Weights { get => Source.Weights; set => Source = Source with { Weights = value }; }
    /// <summary>Class names, one per line, for <see cref="Model"/> (<see cref="ModelSource.Labels"/>).</summary>
    public string? Labels { get => Source.Labels; set => Source = Source with { Labels = value }; }
    /// <summary>An ONNX model file written by <c>resnet export</c> or <c>resnet quantize</c> (<see cref="ModelSource.ModelFile"/>).</summary>
    public string? ModelFile { get => Source.ModelFile; set => Source = Source with { ModelFile = value }; }
    /// <summary>
    /// Instead of one model: a folder of models served side by side, one subfolder each, named by it (Triton's model
    /// repository; <see cref="Repository.ModelRepository"/> describes the layout). Each model has its own batcher and queue.
    /// </summary>
    [Setting("model-repository", "Instead of one model: a folder of models served side by side, one subfolder each (its name is the model's name): a checkpoint (*.safetensors) or an ONNX model file (*.onnx), optional labels.txt and config.json (docs/serving.md).")]
    public string? ModelRepository { get; set; }
    /// <summary>With <see cref="ModelRepository"/>: any model that fails to load stops the start (default: the others serve, it is reported UNAVAILABLE).</summary>
    [Setting("strict", "With --model-repository: do not start when any model fails to load (default: serve the others and report it UNAVAILABLE).")]
    public bool Strict { get; set; }
    /// <summary>The name in the URLs (<c>/v1/models/{name}/classify</c>); default: the model's name.</summary>
    [Setting("name", "The model's name in the URLs; default: the model's (e.g. resnet18).")]
    public string? Name { get; set; }
    /// <summary><c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    [Setting("device", Devices.Description)]
    public string Device { get; set; } = "auto";
    /// <summary><c>auto</c> (torch on CUDA, onnxruntime on the CPU), <c>torch</c> or <c>onnxruntime</c>.</summary>
    [Setting("engine", "What runs the forward pass: " + InferenceEngines.Forms + ". auto: torch on CUDA, ONNX Runtime on the CPU (faster there).")]
    public string Engine { get; set; } = "auto";
    /// <summary>The torch engine's precision on CUDA: <c>fp32</c> or <c>bf16</c>.</summary>
    [Setting("precision", "The torch engine's precision on CUDA: fp32 or bf16.")]
    public string Precision { get; set; } = "fp32";
    /// <summary>
    /// Intra-op threads of the model's ONNX Runtime session (<see cref="EngineSettings.Threads"/>; 0: one per core): with
    /// a <see cref="ModelRepository"/>, give each model a few so that the models share the cores. torch's thread pool is
    /// per process: <c>resnet serve</c> sets it from the server's value.
    /// </summary>
    [Setting("threads", EngineSettings.ThreadsDescription)]
    public int Threads { get; set; }
    /// <summary>Most images in one forward pass.</summary>
    [Setting("max-batch", "Most images in one forward pass.")]
    public int MaxBatch { get; set; } = 32;
    /// <summary>How long the batcher waits after a batch's first image for more, in milliseconds.</summary>
    [Setting("max-delay-ms", "How long to wait after a batch's first image for more.")]
    public double MaxDelayMs { get; set; } = 5;
    /// <summary>Most images waiting; beyond it a request is answered 503 with Retry-After.</summary>
    [Setting("max-queue", "Most images waiting; beyond it requests are answered 503 with Retry-After.")]
    public int MaxQueue { get; set; } = 256;
    /// <summary>Largest request body in MiB; beyond it 413.</summary>
    [Setting("max-body-mb", "Largest request body (MiB); beyond it 413.")]
    public double MaxBodyMb { get; set; } = 16;
    /// <summary>A request's time limit in seconds (504 past it; its queued work is dropped); also the shutdown grace.</summary>
    [Setting("timeout-s", "A request's time limit (504 past it), and the grace for requests to finish at shutdown.")]
    public double TimeoutS { get; set; } = 30;
    /// <summary>Classes per image in <c>classify</c> answers (the <c>?topk=</c> query overrides it).</summary>
    [Setting("topk", "Classes per image in classify answers (?topk= overrides).")]
    public int TopK { get; set; } = 5;

    /// <summary>
    /// A file of API keys, one per line (<c>#</c> starts a comment), reloaded when it changes or on SIGHUP; requests
    /// then need <c>Authorization: Bearer KEY</c>. The <c>RESNETSHARP_API_KEYS</c> environment variable adds keys
    /// (comma-separated).
    /// </summary>
    [Setting("api-key-file", "A file of API keys, one per line ('#' comments), reloaded when it changes or on SIGHUP; requests then need 'Authorization: Bearer KEY'. RESNETSHARP_API_KEYS adds keys.")]
    public string? ApiKeyFile { get; set; }
    /// <summary>Serve without API keys on an address other than loopback (a proxy or service mesh authenticates).</summary>
    [Setting("allow-anonymous", "Serve without API keys on an address other than loopback (a proxy or service mesh authenticates).")]
    public bool AllowAnonymous { get; set; }
    /// <summary>Require the API key for <c>GET /metrics</c> too (the health endpoints stay open).</summary>
    [Setting("protect-metrics", "Require the API key for GET /metrics too (the health endpoints stay open).")]
    public bool ProtectMetrics { get; set; }
    /// <summary>Requests per second per API key (per client address without keys), a token bucket; beyond it 429 with Retry-After. 0: no limit.</summary>
    [Setting("rate-limit", "Requests per second per API key (per client address without keys), as N or N/s; beyond it 429 with Retry-After. 0: no limit.")]
    public double RateLimit { get; set; }
    /// <summary>Most pixels per image, read from its header before any pixel is decoded; beyond it 413.</summary>
    [Setting("max-pixels", "Most pixels per image, read from its header before decoding; beyond it 413.")]
    public long MaxPixels { get; set; } = 40_000_000;
    /// <summary>Most MiB of decoded RGBA pixels held at once across requests; beyond it 503 with Retry-After.</summary>
    [Setting("max-decoding-mb", "Most MiB of decoded pixels held at once across requests; beyond it 503 with Retry-After.")]
    public double MaxDecodingMb { get; set; } = 1024;
    /// <summary>A PEM certificate (chain) to serve HTTPS with, HTTP/1.1 and HTTP/2; with <see cref="TlsKey"/>.</summary>
    [Setting("tls-cert", "A PEM certificate (chain): serve HTTPS (HTTP/1.1 and HTTP/2); with --tls-key.")]
    public string? TlsCert { get; set; }
    /// <summary>The PEM private key of <see cref="TlsCert"/>.</summary>
    [Setting("tls-key", "The PEM private key of --tls-cert.")]
    public string? TlsKey { get; set; }
    /// <summary>Most open connections; beyond it new ones are refused.</summary>
    [Setting("max-connections", "Most open connections; beyond it new ones are refused.")]
    public long MaxConnections { get; set; } = 1000;
    /// <summary>Seconds a client has to send a request's headers; a slower one (slow-loris) is cut off.</summary>
    [Setting("header-timeout-s", "Seconds a client has to send a request's headers (slow-loris defence).")]
    public double HeaderTimeoutS { get; set; } = 10;
    /// <summary>Slowest request body upload, in bytes per second after a 5 s grace; a slower one is cut off.</summary>
    [Setting("min-body-rate", "Slowest request body upload in bytes per second, after a 5 s grace; a slower one is cut off.")]
    public double MinBodyRate { get; set; } = 240;

    /// <summary>Fails with one clear error naming the first bad setting and its fix.</summary>
    public void Validate()
    {
        ValidateModels();
        Check(MaxBatch >= 1, $"--max-batch must be at least 1, not {MaxBatch}.");
        Check(MaxDelayMs >= 0, $"--max-delay-ms must be 0 or more, not {MaxDelayMs}.");
        Check(MaxQueue >= 1, $"--max-queue must be at least 1, not {MaxQueue}.");
        Check(MaxBodyMb > 0, $"--max-body-mb must be more than 0, not {MaxBodyMb}.");
        Check(TimeoutS > 0, $"--timeout-s must be more than 0, not {TimeoutS}.");
        Check(TopK >= 1, $"--topk must be at least 1, not {TopK}.");
        Check(Threads >= 0, $"--threads must be 0 (one per core) or more, not {Threads}.");
        Check(Name is null || IsUrlName(Name),
            $"--name '{Name}' must be letters, digits, '-', '_' or '.' (it is part of the URLs).");
        Check(RateLimit >= 0, $"--rate-limit must be 0 (no limit) or more requests per second, not {RateLimit}.");
        Check(MaxPixels >= 1 && MaxPixels <= ImageFiles.MaxPixels,
            $"--max-pixels must be 1 to the decoders' limit of {ImageFiles.MaxPixels}, not {MaxPixels}.");
        Check(MaxDecodingMb * 1024 <= int.MaxValue, $"--max-decoding-mb must be at most {int.MaxValue / 1024}, not {MaxDecodingMb}.");
        Check(MaxDecodingMb * 1024 * 1024 >= 4.0 * MaxPixels,
            $"--max-decoding-mb {MaxDecodingMb} cannot hold one image of --max-pixels {MaxPixels} (4 bytes a pixel): raise it to at least {Math.Ceiling(4.0 * MaxPixels / (1024 * 1024))}.");
        Check(ApiKeyFile is null || File.Exists(ApiKeyFile), $"the API key file '{ApiKeyFile}' does not exist: check --api-key-file.");
        Check((TlsCert is null) == (TlsKey is null), "give both --tls-cert FILE and --tls-key FILE (PEM), or neither.");
        Check(MaxConnections >= 1, $"--max-connections must be at least 1, not {MaxConnections}.");
        Check(HeaderTimeoutS > 0, $"--header-timeout-s must be more than 0, not {HeaderTimeoutS}.");
        Check(MinBodyRate >= 0, $"--min-body-rate must be 0 or more bytes per second, not {MinBodyRate}.");
        InferenceEngines.Parse(Engine);
        Precisions.Parse(Precision);
    }

    private void ValidateModels()
    {
        Check(!Strict || ModelRepository is not null, "--strict applies to --model-repository: leave it out when serving one model.");
        if (ModelRepository is null)
        {
            Source.Validate(new EngineSettings(InferenceEngines.Parse(Engine)));
            return;
        }
        Check(Source == new ModelSource(), "give either --model-repository DIR or one model (--checkpoint, --model with --weights, or --model-file), not both.");
        Check(Name is null, "--name does not apply with --model-repository: each model is named by its folder.");
        Check(Directory.Exists(ModelRepository), $"the model repository '{ModelRepository}' does not exist: check --model-repository.");
    }

    /// <summary>These options for one model of the repository: its name and source, the server's other settings.</summary>
    internal ResNetClassifierOptions ForModel(string name, ModelSource source)
    {
        var model = (ResNetClassifierOptions)MemberwiseClone();
        (model.Name, model.Source, model.ModelRepository, model.Strict) = (name, source, null, false);
        return model;
    }

    /// <summary>A <see cref="RateLimit"/> as written on a command line: <c>N</c> or <c>N/s</c> requests per second, 0 for no limit.</summary>
    public static double ParseRateLimit(string text)
    {
        string number = text.Trim().EndsWith("/s", StringComparison.OrdinalIgnoreCase) ? text.Trim()[..^2] : text.Trim();
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double rate) && rate >= 0 && double.IsFinite(rate)
            ? rate : throw new ResNetSharpException($"--rate-limit '{text}' must be requests per second, N or N/s (e.g. 50 or 50/s), or 0 for no limit.");
    }

    /// <summary>Loads the predictor these options describe (model, engine, device).</summary>
    internal Predictor LoadPredictor()
    {
        if (Source.Kind == ModelSourceKind.OnnxFile) return Source.Open(engine: new EngineSettings(EngineKind.Auto, Threads: Threads));
        var device = Devices.Resolve(Device);
        var kind = InferenceEngines.Resolve(InferenceEngines.Parse(Engine), device);
        return Source.Open(device, new EngineSettings(kind, Fused: kind == EngineKind.Torch && device.type == TorchSharp.DeviceType.CUDA, Precisions.Parse(Precision), Threads));
    }

    /// <summary>Whether <paramref name="name"/> can be a model's name in the URLs: letters, digits, '-', '_' or '.'.</summary>
    internal static bool IsUrlName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    internal long MaxBodyBytes => (long)(MaxBodyMb * 1024 * 1024);

    /// <summary>Whether requests need an API key: a key file is given, or <c>RESNETSHARP_API_KEYS</c> is set.</summary>
    internal bool HasApiKeys => ApiKeyFile is not null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Security.ApiKeys.EnvironmentVariable));

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ResNetSharpException(message);
    }
}
