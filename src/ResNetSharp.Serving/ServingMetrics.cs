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
        Requests = f.CreateCounter("resnetsharp_requests_total", "HTTP requests answered, by endpoint and status code.", "endpoint", "status");
        RequestDuration = f.CreateHistogram("resnetsharp_request_duration_seconds", "Time from a request's arrival to its answer.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        QueueWait = f.CreateHistogram("resnetsharp_queue_wait_seconds", "Time an image waited in the queue before its forward pass.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        Inference = f.CreateHistogram("resnetsharp_inference_duration_seconds", "Time of one forward pass (one batch).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        BatchSize = f.CreateHistogram("resnetsharp_batch_size", "Images per forward pass.",
            new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        QueueDepth = f.CreateGauge("resnetsharp_queue_depth", "Images waiting for a forward pass.");
        Failures = f.CreateCounter("resnetsharp_failures_total", "Requests that failed, by reason.", "reason");
    }

    /// <summary>The registry in Prometheus' text format, as <c>GET /metrics</c> answers.</summary>
    internal IResult Export() => Results.Stream(stream => Registry.CollectAndExportAsTextAsync(stream), "text/plain; version=0.0.4; charset=utf-8");

    /// <summary>The registry that <c>GET /metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }
    public Counter Requests { get; }
    public Histogram RequestDuration { get; }
    public Histogram QueueWait { get; }
    public Histogram Inference { get; }
    public Histogram BatchSize { get; }
    public Gauge QueueDepth { get; }
    public Counter Failures { get; }
}
