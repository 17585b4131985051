using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ResNetSharp.Serving.Repository;

namespace ResNetSharp.Serving;

/// <summary>
/// The models a server serves: the one model of <see cref="ResNetClassifierOptions"/>, or each folder of its
/// <see cref="ResNetClassifierOptions.ModelRepository"/>, each a <see cref="ResNetClassifier"/> with its own batcher and
/// queue. Starts loading them all when the host starts; a model that fails is logged by name and reported
/// UNAVAILABLE while the others serve, or, with <see cref="ResNetClassifierOptions.Strict"/>, stops the host's start.
/// Read-only: nothing loads or unloads a model over HTTP.
/// </summary>
public sealed class ResNetClassifierRegistry : IHostedService, IDisposable
{
    private readonly ResNetClassifierOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrencyLimiter _decodeBudget;

    /// <summary>The models of validated <paramref name="options"/> (a bad setting or an empty repository throws here); they load when the host starts.</summary>
    /// <param name="options">The server's settings: one model, or a model repository.</param>
    /// <param name="metrics">Where queue and inference figures are counted, by model.</param>
    /// <param name="lifetime">The host lifetime: readiness ends when it begins to stop.</param>
    /// <param name="logger">Where a model that fails to load is reported.</param>
    public ResNetClassifierRegistry(ResNetClassifierOptions options, ServingMetrics metrics, IHostApplicationLifetime lifetime, ILogger<ResNetClassifierRegistry> logger)
    {
        options.Validate();
        (_options, _logger) = (options, logger);
        _decodeBudget = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = (int)(options.MaxDecodingMb * 1024), QueueLimit = 0 });
        Models = options.ModelRepository is null ? [new ResNetClassifier(options, metrics, lifetime, _decodeBudget)]
            : [.. ModelRepository.Read(options).Select(m => new ResNetClassifier(m.Options ?? options.ForModel(m.Name, new()), metrics, lifetime, _decodeBudget, m.Error))];
    }

    /// <summary>The models, in repository order (folder names, ordinal); one when no repository is served.</summary>
    public IReadOnlyList<ResNetClassifier> Models { get; }

    /// <summary>Whether the models come from a repository (several, named by their folders).</summary>
    public bool IsRepository => _options.ModelRepository is not null;

    /// <summary>Completes once every model has loaded or failed to (it never faults: see each model's <see cref="ResNetClassifier.WhenReady"/>).</summary>
    public Task WhenLoaded => Task.WhenAll(Models.Select(m => m.WhenReady.ContinueWith(_ => { }, TaskScheduler.Default)));

    /// <summary>
    /// The model a URL names, ready to answer: 404 naming the served models for another name; 503 while it loads or
    /// if it failed to. With one model whose name is not known until it has loaded, its state answers first.
    /// A request that reaches an endpoint while the server stops is still answered (only readiness turns 503 then).
    /// </summary>
    internal ResNetClassifier Find(string name)
    {
        var model = Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.Ordinal))
            ?? (!IsRepository && !Models[0].WhenReady.IsCompletedSuccessfully ? Models[0] : null)
            ?? throw new ServingException(404, $"unknown model '{name}': this server serves {Names} (see GET /v2/repository/index).");
        if (model.WhenReady.IsFaulted)
            throw new ServingException(503, $"the model failed to load: {model.WhenReady.Exception!.InnerException!.Message}");
        if (!model.WhenReady.IsCompletedSuccessfully)
            throw new ServingException(503, "the model is still loading: retry when GET /v2/health/ready answers 200.");
        return model;
    }

    /// <summary>
    /// Why the server is not ready, or null when it is: ready once no model is loading, at least one has loaded, and
    /// every model that loaded is ready (not shutting down). A model that failed does not hold the others back.
    /// </summary>
    internal string? NotReady()
    {
        var loaded = Models.Where(m => !m.WhenReady.IsFaulted).ToList();
        var waiting = loaded.Count > 0 ? loaded.FirstOrDefault(m => !m.IsReady) : Models[0];
        return waiting is null ? null : IsRepository ? $"model '{waiting.Name}': {waiting.State.Reason}" : waiting.State.Reason;
    }

    /// <summary>
    /// The <c>model</c> label of a request's metrics: the model its URL names when this server serves one of that name,
    /// else empty (health, metadata, metrics, or an unknown name: a stranger's names never become label values).
    /// </summary>
    internal string MetricsModel(HttpContext http) =>
        http.GetRouteValue("name") is string name && Models.Any(m => string.Equals(m.Name, name, StringComparison.Ordinal)) ? name : "";

    /// <summary>The models' names, quoted, as 404 answers list them.</summary>
    internal string Names => string.Join(", ", Models.Select(m => $"'{m.Name}'"));

    async Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in Models)
        {
            model.Start();
            if (!_options.Strict)   // else the start fails, naming it
                _ = model.WhenReady.ContinueWith(t => _logger.LogError("model '{Model}' failed to load and is unavailable: {Reason}", model.Name, t.Exception!.InnerException!.Message),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        if (!_options.Strict) return;
        await WhenLoaded.WaitAsync(cancellationToken);
        if (Models.FirstOrDefault(m => m.WhenReady.IsFaulted) is { } failed)
            throw new ResNetSharpException($"model '{failed.Name}' failed to load ({failed.WhenReady.Exception!.InnerException!.Message}), and --strict stops the start: fix or remove {Path.Combine(_options.ModelRepository!, failed.Name)}, or leave out --strict to serve the other models.");
    }

    Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        foreach (var model in Models) model.Stop();
        return Task.CompletedTask;
    }

    /// <summary>Drains each model's batcher, then frees the models.</summary>
    public void Dispose()
    {
        foreach (var model in Models) model.Unload();
        _decodeBudget.Dispose();
    }
}
