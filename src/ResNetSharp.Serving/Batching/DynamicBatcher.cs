using System.Diagnostics;
using System.Threading.Channels;
using Prometheus;

namespace ResNetSharp.Serving.Batching;

/// <summary>
/// Triton-style dynamic batching: a bounded queue of preprocessed images and one worker thread that takes the first
/// waiting image, then more until <c>maxBatch</c> images or <c>maxDelay</c> after the first, runs one forward pass
/// and hands each image its logits. Images whose request was cancelled (timeout, disconnect) are dropped unrun.
/// Disposing completes the queue and waits until everything already queued has been answered.
/// </summary>
public sealed class DynamicBatcher : IDisposable
{
    private sealed record Work(float[] Image, TaskCompletionSource<float[]> Result, CancellationToken Cancel, long Enqueued);

    private readonly Channel<Work> _queue;
    private readonly Func<float[], int, float[]> _forward;
    private readonly int _imageSize, _maxBatch;
    private readonly TimeSpan _maxDelay;
    private readonly IHistogram _queueWait, _inference, _batchSize;
    private readonly IGauge _queueDepth;
    private readonly Thread _worker;

    /// <summary>
    /// A batcher over <c>forward</c> (one forward pass: <c>batch</c> images of <c>imageSize</c> floats concatenated in,
    /// logits [batch, classes] out), counted in <paramref name="metrics"/> under the label <c>model</c> = <paramref name="model"/>.
    /// </summary>
    public DynamicBatcher(Func<float[], int, float[]> forward, int imageSize, int maxBatch, TimeSpan maxDelay, int maxQueue, ServingMetrics metrics, string model)
    {
        (_forward, _imageSize, _maxBatch, _maxDelay) = (forward, imageSize, maxBatch, maxDelay);
        (_queueWait, _inference, _batchSize, _queueDepth) = (metrics.QueueWait.WithLabels(model), metrics.Inference.WithLabels(model),
            metrics.BatchSize.WithLabels(model), metrics.QueueDepth.WithLabels(model));
        _queueDepth.Set(0);
        _queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(maxQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = new Thread(Run) { IsBackground = true, Name = "resnetsharp-batcher" };
        _worker.Start();
    }

    /// <summary>Images waiting.</summary>
    public int Depth => _queue.Reader.Count;

    /// <summary>
    /// Queues one image (<c>imageSize</c> floats) and returns its logits once its batch has run; null when the queue
    /// is full or closed (the caller answers 503). The task is cancelled when <paramref name="cancel"/> fires first.
    /// </summary>
    public Task<float[]>? TryEnqueue(float[] image, CancellationToken cancel)
    {
        if (image.Length != _imageSize) throw new ArgumentException($"an image has {_imageSize} floats, not {image.Length}.", nameof(image));
        var result = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Work(image, result, cancel, Stopwatch.GetTimestamp()))) return null;
        _queueDepth.Set(Depth);
        cancel.Register(() => result.TrySetCanceled(cancel));
        return result.Task;
    }

    private void Run()
    {
        var batch = new List<Work>(_maxBatch);
        while (_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            Collect(batch);
            _queueDepth.Set(Depth);
            Forward(batch);
            batch.Clear();
        }
    }

    /// <summary>Fills <paramref name="batch"/> with live work: up to the maximum, waiting at most the delay after the first.</summary>
    private void Collect(List<Work> batch)
    {
        long deadline = 0;
        while (batch.Count < _maxBatch)
        {
            if (_queue.Reader.TryRead(out var work))
            {
                if (work.Cancel.IsCancellationRequested) continue;   // its request is gone: drop it unrun
                batch.Add(work);
                if (batch.Count == 1) deadline = Stopwatch.GetTimestamp() + (long)(_maxDelay.TotalSeconds * Stopwatch.Frequency);
                continue;
            }
            long left = deadline - Stopwatch.GetTimestamp();
            if (batch.Count == 0 || left <= 0 || !WaitForMore(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency))) return;
        }
    }

    /// <summary>Whether more work arrived within <paramref name="wait"/> (false also when the queue was closed).</summary>
    private bool WaitForMore(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return _queue.Reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Forward(List<Work> batch)
    {
        batch.RemoveAll(w => w.Cancel.IsCancellationRequested);   // timed out or disconnected while the batch formed
        if (batch.Count == 0) return;
        long start = Stopwatch.GetTimestamp();
        foreach (var w in batch) _queueWait.Observe(Stopwatch.GetElapsedTime(w.Enqueued, start).TotalSeconds);
        var input = new float[batch.Count * _imageSize];
        for (int i = 0; i < batch.Count; i++) batch[i].Image.CopyTo(input, i * _imageSize);
        float[] logits;
        try
        {
            logits = _forward(input, batch.Count);
        }
        catch (Exception e)
        {
            foreach (var w in batch) w.Result.TrySetException(e);
            return;
        }
        _inference.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        _batchSize.Observe(batch.Count);
        int classes = logits.Length / batch.Count;
        for (int i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(logits.AsSpan(i * classes, classes).ToArray());
    }

    /// <summary>Closes the queue and waits until every queued image has been answered.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _worker.Join();
    }
}
