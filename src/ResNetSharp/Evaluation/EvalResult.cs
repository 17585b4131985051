namespace ResNetSharp.Evaluation;

/// <summary>
/// What <see cref="Evaluator.Run"/> measured on a split: mean cross-entropy loss, top-1 and top-5 accuracy (fractions in
/// [0,1]), and the confusion matrix <c>Confusion[true, predicted]</c> with the per-class accuracy (recall) it implies.
/// </summary>
public sealed record EvalResult(long Count, double Loss, double Top1, double Top5, long[][] Confusion, IReadOnlyList<string> Classes)
{
    /// <summary>Per class: correct / samples of that class (NaN when the split has none).</summary>
    public double[] PerClassAccuracy => [.. Confusion.Select((row, i) => row.Sum() == 0 ? double.NaN : (double)row[i] / row.Sum())];
}
