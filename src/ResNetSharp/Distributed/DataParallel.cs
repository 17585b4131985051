using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>
/// Data parallelism for a module replicated on every rank, as PyTorch's DistributedDataParallel does it:
/// <see cref="BroadcastState"/> makes rank 0's parameters and buffers everyone's at the start;
/// <see cref="SyncBuffers"/> (before each forward: <c>broadcast_buffers</c>) makes batch-norm running statistics follow
/// rank 0; <see cref="AllReduceGradients"/> (after each backward) averages the gradients over the ranks in flattened
/// buckets of about <see cref="DefaultBucketBytes"/>, filled in reverse parameter order (the order backward produces
/// them). The all-reduce runs after the whole backward: TorchSharp exposes no per-parameter gradient hooks to start a
/// bucket while backward continues, so communication does not overlap computation (<c>resnet bench --distributed</c>
/// reports its share).
/// </summary>
public sealed class DataParallel
{
    /// <summary>DDP's default bucket size, 25 MiB.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly ProcessGroup _group;
    private readonly Parameter[][] _buckets;
    private readonly Tensor[][] _bufferGroups;
    private readonly Tensor[][] _stateGroups;

    /// <summary>Buckets <paramref name="module"/>'s trainable parameters for <paramref name="group"/>.</summary>
    public DataParallel(nn.Module module, ProcessGroup group, long bucketBytes = DefaultBucketBytes)
    {
        _group = group;
        var trainable = module.parameters().Where(p => p.requires_grad).Reverse().ToList();
        _buckets = [.. Bucket(trainable, bucketBytes)];
        var buffers = module.buffers().ToList();
        _bufferGroups = [.. buffers.GroupBy(b => b.dtype).Select(g => g.ToArray())];
        _stateGroups = [.. module.parameters().Cast<Tensor>().Concat(buffers).GroupBy(t => t.dtype).Select(g => g.ToArray())];
    }

    /// <summary>The gradient buckets (lists of parameters, reverse order), for inspection and benchmarks.</summary>
    public IReadOnlyList<IReadOnlyList<Parameter>> Buckets => _buckets;

    /// <summary>Copies rank 0's parameters and buffers to every rank.</summary>
    public void BroadcastState() => Broadcast(_stateGroups);

    /// <summary>Copies rank 0's buffers (batch-norm running statistics) to every rank.</summary>
    public void SyncBuffers() => Broadcast(_bufferGroups);

    /// <summary>Replaces every trainable parameter's gradient by its mean over the ranks (a missing gradient counts as zeros).</summary>
    public void AllReduceGradients()
    {
        if (_group.WorldSize == 1) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var bucket in _buckets)
        {
            var grads = bucket.Select(p => p.grad ?? zeros_like(p)).ToArray();
            var flat = cat(grads.Select(g => g.reshape(-1)).ToArray());
            _group.AllReduce(flat, ReduceOp.Mean);
            long offset = 0;
            for (int i = 0; i < bucket.Length; i++)
            {
                long n = grads[i].NumberOfElements;
                var mean = flat.narrow(0, offset, n).view(grads[i].shape);
                if (bucket[i].grad is { } g) g.copy_(mean);
                else bucket[i].grad = mean.clone().DetachFromDisposeScope();
                offset += n;
            }
        }
    }

    private void Broadcast(Tensor[][] groups)
    {
        if (_group.WorldSize == 1) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var tensors in groups)
        {
            var flat = cat(tensors.Select(t => t.reshape(-1)).ToArray());
            _group.Broadcast(flat, root: 0);
            long offset = 0;
            foreach (var t in tensors)
            {
                t.copy_(flat.narrow(0, offset, t.NumberOfElements).view(t.shape));
                offset += t.NumberOfElements;
            }
        }
    }

    /// <summary>Consecutive runs of same-dtype parameters of at most <paramref name="bucketBytes"/> (a larger parameter is a bucket alone).</summary>
    private static IEnumerable<Parameter[]> Bucket(IReadOnlyList<Parameter> parameters, long bucketBytes)
    {
        var bucket = new List<Parameter>();
        long bytes = 0;
        foreach (var p in parameters)
        {
            long size = p.NumberOfElements * p.ElementSize;
            bool fits = bucket.Count == 0 || (bytes + size <= bucketBytes && p.dtype == bucket[0].dtype);
            if (!fits)
            {
                yield return [.. bucket];
                bucket.Clear();
                bytes = 0;
            }
            bucket.Add(p);
            bytes += size;
        }
        if (bucket.Count > 0) yield return [.. bucket];
    }
}
