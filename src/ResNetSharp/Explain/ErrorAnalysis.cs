using ResNetSharp.Data;
using ResNetSharp.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Explain;

/// <summary>A class's precision, recall and F1 (0 where undefined, as scikit-learn's zero_division=0) and its support (true samples).</summary>
public sealed record ClassScores(string Class, double Precision, double Recall, double F1, long Support);

/// <summary>An off-diagonal confusion cell: how many samples of <c>True</c> were predicted as <c>Predicted</c>.</summary>
public sealed record ConfusedPair(string True, string Predicted, long Count);

/// <summary>
/// A validation sample the model gets most wrong: its index in the split's order, true and predicted class, its
/// cross-entropy loss and the probability of the predicted class, and the preprocessed image [C, H, W] (CPU, owned).
/// </summary>
public sealed record HardExample(long Index, int True, int Predicted, double Loss, double Prob, Tensor Image) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose() => Image.Dispose();
}

/// <summary>fastai's ClassificationInterpretation for an <see cref="EvalResult"/>: per-class scores, most-confused pairs, highest losses.</summary>
public static class ErrorAnalysis
{
    /// <summary>Per class, from the confusion matrix: precision = C[c,c] / column sum, recall = C[c,c] / row sum, F1 their harmonic mean.</summary>
    public static IReadOnlyList<ClassScores> PerClass(EvalResult r) => [.. r.Classes.Select((name, c) =>
    {
        long tp = r.Confusion[c][c], support = r.Confusion[c].Sum(), predicted = r.Confusion.Sum(row => row[c]);
        double p = predicted == 0 ? 0 : (double)tp / predicted, recall = support == 0 ? 0 : (double)tp / support;
        return new ClassScores(name, p, recall, p + recall == 0 ? 0 : 2 * p * recall / (p + recall), support);
    })];

    /// <summary>The <paramref name="top"/> largest off-diagonal cells, largest first (ties: row, then column order).</summary>
    public static IReadOnlyList<ConfusedPair> MostConfused(EvalResult r, int top = 10) =>
        [.. r.Confusion.SelectMany((row, t) => row.Select((n, p) => (t, p, n))).Where(c => c.t != c.p && c.n > 0)
            .OrderByDescending(c => c.n).Take(top).Select(c => new ConfusedPair(r.Classes[c.t], r.Classes[c.p], c.n))];

    /// <summary>The <paramref name="count"/> validation samples with the highest loss, highest first; the caller disposes them.</summary>
    public static IReadOnlyList<HardExample> HighestLoss(nn.Module<Tensor, Tensor> model, IDataLoader val, int count)
    {
        var rows = new List<(long Index, int True, int Predicted, double Loss, double Prob)>();
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using (no_grad())
                foreach (var batch in val.Epoch(0))
                    using (batch)
                    using (NewDisposeScope())
                    {
                        var logits = model.call(batch.Images).to(ScalarType.Float32);
                        var loss = nn.functional.cross_entropy(logits, batch.Labels, reduction: nn.Reduction.None).cpu().data<float>().ToArray();
                        var (prob, pred) = logits.softmax(1).max(1);
                        var (p, k, y) = (prob.cpu().data<float>().ToArray(), pred.cpu().data<long>().ToArray(), batch.Labels.cpu().data<long>().ToArray());
                        for (int i = 0; i < loss.Length; i++) rows.Add((rows.Count, (int)y[i], (int)k[i], loss[i], p[i]));
                    }
            var chosen = rows.OrderByDescending(r => r.Loss).Take(count).ToList();
            var images = new Dictionary<long, Tensor>();
            long offset = 0;
            foreach (var batch in val.Epoch(0))
                using (batch)
                using (NewDisposeScope())
                {
                    foreach (var r in chosen.Where(r => r.Index >= offset && r.Index < offset + batch.Size))
                        images[r.Index] = batch.Images[r.Index - offset].cpu().clone().DetachFromDisposeScope();
                    offset += batch.Size;
                }
            return [.. chosen.Select(r => new HardExample(r.Index, r.True, r.Predicted, r.Loss, r.Prob, images[r.Index]))];
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
