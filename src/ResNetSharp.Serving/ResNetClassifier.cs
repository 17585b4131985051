using System.Threading.RateLimiting;
using Microsoft.Extensions.Hosting;
using ResNetSharp.Inference;
using ResNetSharp.Serving.Batching;

namespace ResNetSharp.Serving;

/// <summary>
/// A served model: loaded on a background thread when the host starts, then warmed up with one full batch;
/// <see cref="IsReady"/> from then until the host begins to stop. Requests go through its own <see cref="DynamicBatcher"/>.
/// Owned by the <see cref="ResNetClassifierRegistry"/>, which starts it and unloads it with the host's services, after
/// the server has finished its requests: the batcher drains first.
/// </summary>
public sealed class ResNetClassifier
{
    private readonly ResNetClassifierOptions _options;
    private readonly ServingMetrics _metrics;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Predictor? _predictor;
    private DynamicBatcher? _batcher;
    private volatile bool _ready;

    /// <summary>
    /// The classifier of validated <paramref name="options"/> (a bad setting throws here); the model loads when
    /// <see cref="Start"/> is called. A <paramref name="broken"/> model (a repository folder that cannot load) never loads:
    /// it reports that error.
    /// </summary>
    /// <param name="options">The model and serving settings.</param>
    /// <param name="metrics">Where queue and inference figures are counted.</param>
    /// <param name="lifetime">The host lifetime: readiness ends when it begins to stop.</param>
    /// <param name="decodeBudget">The server-wide budget of decoded pixels, shared by every model.</param>
    /// <param name="broken">Why the model cannot load, known before loading; null for a model to load.</param>
    internal ResNetClassifier(ResNetClassifierOptions options, ServingMetrics metrics, IHostApplicationLifetime lifetime,
        ConcurrencyLimiter decodeBudget, ResNetSharpException? broken = null)
    {
        if (broken is null) options.Validate();
        else _loaded.SetException(broken);
        (_options, _metrics, _lifetime, DecodeBudget) = (options, metrics, lifetime, decodeBudget);
    }

    /// <summary>The decoded pixels held at once across the server, in KiB permits: <see cref="ResNetClassifierOptions.MaxDecodingMb"/>.</summary>
    internal ConcurrencyLimiter DecodeBudget { get; }

    /// <summary>The name in the URLs: the options' <c>Name</c> (a repository model's: its folder's), else the model's (known once loaded).</summary>
    public string Name => _options.Name ?? _predictor?.ModelName ?? _options.Model ?? "model";

    /// <summary>Loaded, warmed up, and not shutting down.</summary>
    public bool IsReady => _ready;

    /// <summary>Completes once the model is loaded and warmed up; faults with the load error (e.g. a missing file).</summary>
    public Task WhenReady => _loaded.Task;

    /// <summary>The predictor (labels, input shape, engine, top-k); only once <see cref="IsReady"/> has been true.</summary>
    public Predictor Predictor => _predictor ?? throw new ServingException(503, "the model is still loading: retry when GET /v2/health/ready answers 200.");

    /// <summary>The batcher, as <see cref="Predictor"/>.</summary>
    internal DynamicBatcher Batcher => _batcher ?? throw new ServingException(503, "the model is still loading: retry when GET /v2/health/ready answers 200.");

    internal ResNetClassifierOptions Options => _options;

    /// <summary>The model's state as the repository index names it (READY, LOADING, UNAVAILABLE), and why when not ready.</summary>
    internal (string State, string? Reason) State =>
        IsReady ? ("READY", null)
        : WhenReady.IsFaulted ? ("UNAVAILABLE", $"the model failed to load: {WhenReady.Exception!.InnerException!.Message}")
        : WhenReady.IsCompletedSuccessfully ? ("UNAVAILABLE", "the server is shutting down.")
        : ("LOADING", "the model is still loading.");

    /// <summary>Starts loading on a background thread (unless broken); readiness ends when the host begins to stop.</summary>
    internal void Start()
    {
        _lifetime.ApplicationStopping.Register(() => _ready = false);
        if (!_loaded.Task.IsCompleted) _ = Task.Factory.StartNew(Load, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Not ready any more: the host is stopping.</summary>
    internal void Stop() => _ready = false;

    private void Load()
    {
        try
        {
            _predictor = _options.LoadPredictor();
            var predictor = _predictor;
            var batcher = new DynamicBatcher(predictor.Logits, predictor.ImageSize, _options.MaxBatch,
                TimeSpan.FromMilliseconds(_options.MaxDelayMs), _options.MaxQueue, _metrics, Name);
            predictor.Logits(new float[_options.MaxBatch * predictor.ImageSize], _options.MaxBatch);   // warm-up: one full batch
            _batcher = batcher;
            _ready = !_lifetime.ApplicationStopping.IsCancellationRequested;
            _loaded.TrySetResult();
        }
        catch (Exception e)
        {
            _loaded.TrySetException(e);
        }
    }

    /// <summary>Drains the batcher (every queued image is answered), then frees the model.</summary>
    internal void Unload()
    {
        _batcher?.Dispose();
        _predictor?.Dispose();
    }
}
