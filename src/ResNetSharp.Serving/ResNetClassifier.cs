using System.Threading.RateLimiting;
using Microsoft.Extensions.Hosting;
using ResNetSharp.Inference;
using ResNetSharp.Serving.Batching;

namespace ResNetSharp.Serving;

/// <summary>
/// The served model: loaded on a background thread when the host starts, then warmed up with one full batch;
/// <see cref="IsReady"/> from then until the host begins to stop. Requests go through its <see cref="DynamicBatcher"/>.
/// Disposed with the host's services, after the server has finished its requests: the batcher drains first.
/// </summary>
public sealed class ResNetClassifier : IHostedService, IDisposable
{
    private readonly ResNetClassifierOptions _options;
    private readonly ServingMetrics _metrics;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Predictor? _predictor;
    private DynamicBatcher? _batcher;
    private volatile bool _ready;

    public ResNetClassifier(ResNetClassifierOptions options, ServingMetrics metrics, IHostApplicationLifetime lifetime)
    {
        options.Validate();
        (_options, _metrics, _lifetime) = (options, metrics, lifetime);
        DecodeBudget = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = (int)(options.MaxDecodingMb * 1024), QueueLimit = 0 });
    }

    /// <summary>The decoded pixels held at once, in KiB permits: <see cref="ResNetClassifierOptions.MaxDecodingMb"/>.</summary>
    internal ConcurrencyLimiter DecodeBudget { get; }

    /// <summary>The name in the URLs: the options' <c>Name</c>, else the model's (known once loaded).</summary>
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

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStopping.Register(() => _ready = false);
        _ = Task.Factory.StartNew(Load, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        return Task.CompletedTask;
    }

    private void Load()
    {
        try
        {
            _predictor = _options.LoadPredictor();
            var predictor = _predictor;
            var batcher = new DynamicBatcher(predictor.Logits, predictor.ImageSize, _options.MaxBatch,
                TimeSpan.FromMilliseconds(_options.MaxDelayMs), _options.MaxQueue, _metrics);
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

    public void Dispose()
    {
        _batcher?.Dispose();
        _predictor?.Dispose();
        DecodeBudget.Dispose();
    }
}
