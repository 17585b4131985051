using Microsoft.AspNetCore.Http;
using Prometheus;

namespace ResNetSharp.Serving;

/// <summary>
/// The server's Prometheus metrics (prometheus-net), in a registry of its own (so two apps in one process, e.g.
/// tests, do not share counts) that also holds the .NET runtime's and the process' own metrics.
/// </summary>
public sealed class ServingMetrics
{
    /// <summary>A registry with the runtime's metrics and the serving metrics below.</summary>
    public ServingMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var f = Metrics.WithCustomRegistry(Registry);
        Requests = f.CreateCounter("resnetsharp_requests_total", "HTTP requests answered, by endpoint, model and status code.", "endpoint", "model", "status");
        RequestDuration = f.CreateHistogram("resnetsharp_request_duration_seconds", "Time from a request's arrival to its answer, by endpoint and model.",
            new HistogramConfiguration { LabelNames = ["endpoint", "model"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        QueueWait = f.CreateHistogram("resnetsharp_queue_wait_seconds", "Time an image waited in the queue before its forward pass, by model.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        Inference = f.CreateHistogram("resnetsharp_inference_duration_seconds", "Time of one forward pass (one batch), by model.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        BatchSize = f.CreateHistogram("resnetsharp_batch_size", "Images per forward pass, by model.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        QueueDepth = f.CreateGauge("resnetsharp_queue_depth", "Images waiting for a forward pass, by model.", "model");
        Failures = f.CreateCounter("resnetsharp_failures_total", "Requests that failed, by reason and model.", "reason", "model");
    }

    /// <summary>The registry in Prometheus' text format, as <c>GET /metrics</c> answers.</summary>
    internal IResult Export() => Results.Stream(stream => Registry.CollectAndExportAsTextAsync(stream), "text/plain; version=0.0.4; charset=utf-8");

    /// <summary>The registry that <c>GET /metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }
    /// <summary>
    /// <c>resnetsharp_requests_total{endpoint,model,status}</c>: requests answered, by endpoint (the route pattern),
    /// model (see <see cref="ResNetClassifierRegistry.MetricsModel"/>) and HTTP status.
    /// </summary>
    public Counter Requests { get; }
    /// <summary><c>resnetsharp_request_duration_seconds{endpoint,model}</c>: a request's time from arrival to answer, in seconds.</summary>
    public Histogram RequestDuration { get; }
    /// <summary><c>resnetsharp_queue_wait_seconds{model}</c>: seconds an image waits in the batch queue before its forward pass.</summary>
    public Histogram QueueWait { get; }
    /// <summary><c>resnetsharp_inference_duration_seconds{model}</c>: seconds per batched forward pass.</summary>
    public Histogram Inference { get; }
    /// <summary><c>resnetsharp_batch_size{model}</c>: images per forward pass (what dynamic batching achieved).</summary>
    public Histogram BatchSize { get; }
    /// <summary><c>resnetsharp_queue_depth{model}</c>: images waiting for a forward pass now.</summary>
    public Gauge QueueDepth { get; }
    /// <summary><c>resnetsharp_failures_total{reason,model}</c>: requests that failed, by reason (bad input, queue full, timeout, ...) and model.</summary>
    public Counter Failures { get; }
}
