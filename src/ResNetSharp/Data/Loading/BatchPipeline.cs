using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using ResNetSharp.Data.Images;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Loading;

/// <summary>
/// The decoding half of the streaming loaders, as torch's DataLoader does it: one thread per worker turns its own stream
/// of encoded samples into whole batches, each image decoded (<see cref="CropDecoder"/>) straight into its slot of a
/// pooled, pinned uint8 RGBA (HWC) batch buffer; up to the prefetch depth of finished batches wait, and the consumer
/// takes batch k from worker k mod workers (skipping workers that have finished), so the order depends only on the
/// streams. The consumer sees each buffer as a uint8 [B,H,W,4] tensor (RGBA) for the moment it takes to copy it to the
/// device; then the buffer goes back to the pool. No per-image buffers are allocated in steady state.
/// </summary>
internal sealed class BatchPipeline(int size, int batchSize, bool dropLast, DecodeMode mode, LoaderSettings settings, BadImageLog bad) : IDisposable
{
    private sealed class Slot(int batchSize, int plane)
    {
        public byte[] Pixels { get; } = GC.AllocateUninitializedArray<byte>(batchSize * plane, pinned: true);
        public long[] Labels { get; } = new long[batchSize];

        /// <summary>Images decoded into the slot.</summary>
        public int Count { get; set; }

        /// <summary>Samples of the stream the slot has taken, bad ones (skipped) included.</summary>
        public int Taken { get; set; }
    }

    /// <summary>A worker's decoder and file buffer, reused by the next epoch's workers.</summary>
    private sealed class WorkerState : IDisposable
    {
        public CropDecoder Decoder { get; } = new();
        public FileBytes File { get; } = new();

        public void Dispose() => Decoder.Dispose();
    }

    // Batch buffers and worker states outlive an epoch: allocating them anew each epoch cost page faults and
    // garbage collections on every image.
    private readonly ConcurrentBag<Slot> _slots = [];
    private readonly ConcurrentBag<WorkerState> _states = [];

    private int Plane => 4 * size * size;

    /// <summary>
    /// The batches of <paramref name="streams"/> (one per worker); <paramref name="chooseRect"/>(sample, width, height)
    /// gives each image's source rectangle; <paramref name="convert"/>(uint8 RGBA images [B,H,W,4] on the CPU, labels)
    /// makes the batch, and must not keep the images' memory (copy it to the device, or convert it).
    /// </summary>
    public IEnumerable<Batch> Run(IReadOnlyList<IEnumerable<EncodedSample>> streams, Func<EncodedSample, int, int, (SKRect, bool)> chooseRect,
        Func<Tensor, long[], Batch> convert)
    {
        if (streams.Count == 0) yield break;
        int workers = streams.Count, depth = Math.Max(1, (settings.PrefetchDepth + workers - 1) / workers);
        var free = Channel.CreateUnbounded<Slot>();
        var slots = Enumerable.Range(0, workers * (depth + 1) + 1).Select(_ => _slots.TryTake(out var slot) ? slot : new Slot(batchSize, Plane)).ToList();
        slots.ForEach(slot => free.Writer.TryWrite(slot));
        var outputs = streams.Select(_ => Channel.CreateBounded<Slot>(depth)).ToArray();
        using var cancel = new CancellationTokenSource();
        var tasks = streams.Select((stream, w) => Task.Factory.StartNew(() => Work(stream, chooseRect, free.Reader, outputs[w].Writer, cancel.Token),
            cancel.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            var active = Enumerable.Range(0, workers).ToList();
            for (int turn = 0; active.Count > 0;)
            {
                var reader = outputs[active[turn]].Reader;
                if (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult() && reader.TryRead(out var slot))
                {
                    yield return Convert(slot, convert);
                    free.Writer.TryWrite(slot);
                    turn = (turn + 1) % active.Count;
                }
                else
                {
                    active.RemoveAt(turn);
                    if (turn >= active.Count) turn = 0;
                }
            }
        }
        finally
        {
            cancel.Cancel();
            try { Task.WaitAll(tasks); }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException)) { }
            slots.ForEach(_slots.Add);
        }
    }

    private Batch Convert(Slot slot, Func<Tensor, long[], Batch> convert)
    {
        using var scope = NewDisposeScope();
        int n = slot.Count;
        return convert(frombuffer(slot.Pixels, ScalarType.Byte, count: (long)n * Plane).view(n, size, size, 4), slot.Labels[..n]);
    }

    private void Work(IEnumerable<EncodedSample> stream, Func<EncodedSample, int, int, (SKRect, bool)> chooseRect, ChannelReader<Slot> free,
        ChannelWriter<Slot> output, CancellationToken cancel)
    {
        var state = _states.TryTake(out var kept) ? kept : new WorkerState();
        try
        {
            Slot? slot = null;
            foreach (var sample in stream)
            {
                cancel.ThrowIfCancellationRequested();
                if (slot is null)
                {
                    slot = free.ReadAsync(cancel).AsTask().GetAwaiter().GetResult();
                    slot.Count = slot.Taken = 0;
                }
                if (Decode(state.Decoder, state.File, sample, chooseRect, slot)) slot.Labels[slot.Count++] = sample.Label;
                // A batch is the stream's next batchSize samples, short by its skipped images, so the epoch's batch
                // count does not depend on bad images (ranks stay in step); a batch of only bad images is left out.
                if (++slot.Taken < batchSize) continue;
                if (slot.Count == 0)
                {
                    slot.Taken = 0;
                    continue;
                }
                output.WriteAsync(slot, cancel).AsTask().GetAwaiter().GetResult();
                slot = null;
            }
            if (slot is { Count: > 0 } && !dropLast) output.WriteAsync(slot, cancel).AsTask().GetAwaiter().GetResult();
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            if (e is OperationCanceledException) throw;
        }
        finally
        {
            _states.Add(state);
        }
    }

    /// <summary>Decodes one sample into the slot's next image; false when it is bad and skipped.</summary>
    private bool Decode(CropDecoder decoder, FileBytes file, EncodedSample sample, Func<EncodedSample, int, int, (SKRect, bool)> chooseRect, Slot slot)
    {
        var destination = Marshal.UnsafeAddrOfPinnedArrayElement(slot.Pixels, slot.Count * Plane);
        GCHandle pin = default;
        try
        {
            IntPtr bytes;
            int length;
            if (sample.Bytes is null) (bytes, length) = file.Read(sample.Name);
            else
            {
                pin = GCHandle.Alloc(sample.Bytes, GCHandleType.Pinned);
                (bytes, length) = (pin.AddrOfPinnedObject(), sample.Length);
            }
            decoder.Decode(bytes, length, sample.Name, (w, h) => chooseRect(sample, w, h), size, size, mode, destination);
            return true;
        }
        catch (ResNetSharpException e) when (settings.OnBadImage == BadImagePolicy.Skip)
        {
            bad.Report(sample.Name, e.Message, settings.Warn);
            return false;
        }
        finally
        {
            if (pin.IsAllocated) pin.Free();
            if (sample.Bytes is not null) ArrayPool<byte>.Shared.Return(sample.Bytes);
        }
    }

    public void Dispose()
    {
        while (_states.TryTake(out var state)) state.Dispose();
    }

    /// <summary>A worker's reusable, pinned buffer for the bytes of one file at a time.</summary>
    private sealed class FileBytes
    {
        private byte[] _bytes = [];

        /// <summary>The whole of <paramref name="path"/>, read into the buffer; a missing or unreadable file is a clear error.</summary>
        public (IntPtr Bytes, int Length) Read(string path)
        {
            try
            {
                using var handle = File.OpenHandle(path);
                long length = RandomAccess.GetLength(handle);
                if (length > Array.MaxLength) throw new ResNetSharpException($"image file '{path}' is {length} bytes, too large to be an image; remove it.");
                if (_bytes.Length < length) _bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(length, 2L * _bytes.Length)), pinned: true);
                int read = 0;
                for (int n; read < length && (n = RandomAccess.Read(handle, _bytes.AsSpan(read, (int)length - read), read)) > 0;) read += n;
                return (Marshal.UnsafeAddrOfPinnedArrayElement(_bytes, 0), read);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ResNetSharpException($"image file '{path}' does not exist or cannot be read ({e.Message}); check the path.");
            }
        }
    }
}

/// <summary>The files a loader skipped as bad, each warned about once.</summary>
internal sealed class BadImageLog
{
    private readonly ConcurrentDictionary<string, byte> _files = new();

    /// <summary>Distinct bad files seen so far.</summary>
    public long Count => _files.Count;

    public void Report(string name, string message, Action<string>? warn)
    {
        if (_files.TryAdd(name, 0)) (warn ?? Console.Error.WriteLine)($"warning: skipping a bad image: {message}");
    }
}
