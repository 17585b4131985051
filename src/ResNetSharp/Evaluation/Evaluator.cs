using ResNetSharp.Data;
using ResNetSharp.Inference;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Evaluation;

/// <summary>
/// Evaluates a classifier on a loader: loss, top-1, top-5 and the confusion matrix are accumulated in device tensors
/// and read back once at the end. The model is put in eval mode and returned to the mode it was in. With
/// <see cref="Precision.BF16"/> the forward pass runs under <see cref="Autocast"/>; with channels_last the inputs are
/// converted to that layout (the model's weights should be too: <see cref="FastPath.Prepare"/>). A
/// <see cref="FusedResNet"/> casts and lays out its inputs itself: pass it with the defaults. With
/// <see cref="TestTimeAugmentation.Flip"/> each batch also runs mirrored and the two softmax outputs are averaged; the
/// loss is then the cross-entropy of the averaged probabilities.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Runs the model over every batch of <paramref name="loader"/>. With a <paramref name="group"/>, each rank's loader
    /// holds its shard and the sums are all-reduced, so every rank gets the result over the whole split.
    /// </summary>
    public static EvalResult Run(nn.Module<Tensor, Tensor> model, IDataLoader loader, IReadOnlyList<string> classes,
        Precision precision = Precision.FP32, bool channelsLast = false, Distributed.ProcessGroup? group = null,
        TestTimeAugmentation tta = TestTimeAugmentation.None)
    {
        int k = classes.Count;
        bool wasTraining = model.training;
        var device = model is FusedResNet fused ? fused.Device : model.parameters().FirstOrDefault()?.device ?? CPU;   // an EngineModule has none
        using var lossSum = zeros(1, ScalarType.Float64, device);
        using var top5 = zeros(1, ScalarType.Int64, device);
        using var confusion = zeros(k * k, ScalarType.Int64, device);
        var transform = FastPath.InputTransform(channelsLast);
        long count = 0;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var autocast = Autocast.Enter(precision);
            foreach (var batch in loader.Epoch(0))
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var scores = LogProbabilities(model, batch.Images, transform, tta);
                    if (scores.shape[1] != k)
                        throw new ResNetSharpException($"the model has {scores.shape[1]} outputs but the data has {k} classes: use a checkpoint trained on this dataset.");
                    var labels = batch.Labels;
                    lossSum.add_(nn.functional.nll_loss(scores, labels, reduction: nn.Reduction.Sum).to(ScalarType.Float64));
                    var best = scores.topk(Math.Min(5, k), dim: 1).indexes;
                    top5.add_(best.eq(labels.unsqueeze(1)).any(1).sum());
                    confusion.add_(bincount(labels * k + best[.., 0], minlength: k * k));
                    count += batch.Size;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        if (group is not null) count = Reduce(group, count, lossSum, top5, confusion);
        if (count == 0) throw new ResNetSharpException("the evaluation split is empty: check the dataset.");
        var flat = confusion.cpu().data<long>().ToArray();
        var matrix = Enumerable.Range(0, k).Select(i => flat.AsSpan(i * k, k).ToArray()).ToArray();
        long correct = Enumerable.Range(0, k).Sum(i => matrix[i][i]);
        return new EvalResult(count, lossSum.item<double>() / count, (double)correct / count, (double)top5.item<long>() / count, matrix, classes);
    }

    /// <summary>
    /// The log-softmax of the model's float32 outputs; with <see cref="TestTimeAugmentation.Flip"/>, the log of the mean
    /// of the image's and its mirror image's probabilities (log-sum-exp of the two, less log 2).
    /// </summary>
    private static Tensor LogProbabilities(nn.Module<Tensor, Tensor> model, Tensor images, Func<Tensor, Tensor>? transform, TestTimeAugmentation tta)
    {
        Tensor Forward(Tensor x) => model.forward(transform?.Invoke(x) ?? x).to(ScalarType.Float32).log_softmax(1);
        var scores = Forward(images);
        if (tta == TestTimeAugmentation.None) return scores;
        return stack([scores, Forward(images.flip(3))]).logsumexp(0).sub(Math.Log(2));
    }

    /// <summary>Sums the accumulators and the sample count over the ranks, in place; returns the total count.</summary>
    private static long Reduce(Distributed.ProcessGroup group, long count, Tensor lossSum, Tensor top5, Tensor confusion)
    {
        group.AllReduce(lossSum);
        using var counts = cat([top5, confusion, tensor(new[] { count }, device: top5.device)]);
        group.AllReduce(counts);
        top5.copy_(counts.narrow(0, 0, 1));
        confusion.copy_(counts.narrow(0, 1, confusion.shape[0]));
        return counts[^1].item<long>();
    }
}
