using System.Threading.RateLimiting;
using ResNetSharp.Data.Images;

namespace ResNetSharp.Serving;

/// <summary>
/// One request's way through the server: encoded images decoded and preprocessed in parallel on the thread pool
/// (outside the batcher's worker), each queued, the logits awaited under the request's deadline.
/// </summary>
internal static class Classification
{
    /// <summary>Each encoded image decoded and preprocessed as <c>resnet predict</c> does; a bad one is a 400 naming it.</summary>
    public static Task<float[][]> PreprocessAsync(ResNetClassifier classifier, IReadOnlyList<(string? File, byte[] Data)> images)
    {
        var predictor = classifier.Predictor;
        return Task.WhenAll(images.Select((image, i) => Task.Run(() =>
        {
            string name = image.File ?? (images.Count == 1 ? "the request body" : $"image {i}");
            try
            {
                using var budget = Reserve(classifier, image.Data, name);
                using var bitmap = ImageFiles.Decode(image.Data, name);
                return predictor.Preprocess(bitmap);
            }
            catch (ResNetSharpException e)
            {
                throw new ServingException(400, e.Message);
            }
        })));
    }

    /// <summary>
    /// Checks an image's size from its header before any pixel is allocated (413 over --max-pixels) and reserves
    /// its decoded RGBA bytes in the server-wide budget (503 with Retry-After while other images hold it).
    /// </summary>
    private static RateLimitLease Reserve(ResNetClassifier classifier, byte[] data, string name)
    {
        var (width, height) = ImageFiles.ReadSize(data, name);
        long pixels = (long)width * height, limit = classifier.Options.MaxPixels;
        if (pixels > limit)
            throw new ServingException(413, $"image '{name}' is {width}x{height} = {pixels / 1e6:0.#} M pixels, over the server's limit of {limit / 1e6:0.#} M: resize it before sending, or start the server with a larger --max-pixels.", "too_many_pixels");
        var lease = classifier.DecodeBudget.AttemptAcquire((int)Math.Ceiling(4.0 * pixels / 1024));
        return lease.IsAcquired ? lease
            : throw new ServingException(503, $"other requests' images fill the decoding budget of {classifier.Options.MaxDecodingMb:0.##} MiB: retry after the Retry-After seconds, or start the server with a larger --max-decoding-mb.", "decoding_budget");
    }

    /// <summary>
    /// The logits of each preprocessed image, through the batcher: 503 when the queue is full, 504 past the
    /// request's timeout (its queued images are dropped); a client that disconnects cancels them too.
    /// </summary>
    public static async Task<float[][]> LogitsAsync(ResNetClassifier classifier, IReadOnlyList<float[]> images, CancellationToken aborted)
    {
        var batcher = classifier.Batcher;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(classifier.Options.TimeoutS));
        var results = new Task<float[]>[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            if (batcher.TryEnqueue(images[i], deadline.Token) is not { } result)
            {
                await deadline.CancelAsync();   // drop this request's images already queued
                throw new ServingException(503, $"the queue is full ({classifier.Options.MaxQueue} images waiting): retry after the Retry-After seconds, or start the server with a larger --max-queue.");
            }
            results[i] = result;
        }
        try
        {
            return await Task.WhenAll(results);
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            throw new ServingException(504, $"the request took longer than --timeout-s {classifier.Options.TimeoutS:0.###} s and was dropped: retry, send fewer images per request, or start the server with a larger --timeout-s.");
        }
    }
}
