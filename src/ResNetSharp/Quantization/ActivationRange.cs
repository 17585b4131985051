namespace ResNetSharp.Quantization;

/// <summary>How the int8 range of an activation is chosen from the calibration images.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum (widened to include 0).</summary>
    MinMax,
    /// <summary>[−t, t] (or [0, t] for a non-negative activation), t the given percentile of |x|.</summary>
    Percentile,
    /// <summary>[−t, t] (or [0, t]), t the clipping threshold minimising the KL divergence (TensorRT's and ONNX Runtime's entropy calibration).</summary>
    Entropy,
}

/// <summary>
/// One activation's statistics over the calibration images and the range they give. The first pass records the
/// minimum and maximum (<see cref="ObserveMinMax"/>); the histogram methods then need a second pass
/// (<see cref="ObserveHistogram"/>) that counts |x| in <see cref="Bins"/> equal bins over [0, max |x|]. Exact zeros
/// (half of a Relu's outputs) are not counted: every range represents them exactly, and their spike in the first
/// bin would otherwise dominate the entropy method's divergence and clip the range to its minimum.
/// </summary>
public sealed class ActivationRange
{
    /// <summary>Histogram bins over [0, max |x|].</summary>
    public const int Bins = 2048;

    /// <summary>Levels of the quantized histogram the entropy method compares against (TensorRT's 128).</summary>
    public const int QuantizedBins = 128;

    private float _min = float.PositiveInfinity, _max = float.NegativeInfinity;
    private long[]? _histogram;

    /// <summary>Whether any value was observed.</summary>
    public bool Observed => _min <= _max;

    /// <summary>First pass: widens the observed minimum and maximum.</summary>
    public void ObserveMinMax(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (v < _min) _min = v;
            if (v > _max) _max = v;
        }
    }

    /// <summary>Second pass (after all of the first): counts |x| into the histogram.</summary>
    public void ObserveHistogram(ReadOnlySpan<float> values)
    {
        _histogram ??= new long[Bins];
        float top = AbsMax;
        if (top <= 0) return;
        double scale = Bins / (double)top;
        foreach (var v in values)
            if (v != 0) _histogram[Math.Min(Bins - 1, (int)(Math.Abs(v) * scale))]++;
    }

    private float AbsMax => Observed ? Math.Max(Math.Abs(_min), Math.Abs(_max)) : 0;

    /// <summary>
    /// The range [lo, hi] (lo ≤ 0 ≤ hi) that <paramref name="method"/> documents, <paramref name="percentile"/> for
    /// <see cref="CalibrationMethod.Percentile"/> (e.g. 99.999).
    /// </summary>
    public (float Lo, float Hi) Range(CalibrationMethod method, double percentile = 99.999)
    {
        if (!Observed) throw new InvalidOperationException("no activation values were observed.");
        if (method == CalibrationMethod.MinMax || AbsMax == 0) return (Math.Min(_min, 0), Math.Max(_max, 0));
        var histogram = _histogram ?? throw new InvalidOperationException("the histogram pass has not run.");
        double width = AbsMax / (double)Bins;
        float t = (float)(width * (method == CalibrationMethod.Percentile ? PercentileBin(histogram, percentile) : EntropyBin(histogram)));
        return _min >= 0 ? (0, t) : (-t, t);
    }

    /// <summary>The number of bins from 0 up to the one where the cumulative share first reaches <paramref name="percentile"/> %.</summary>
    internal static int PercentileBin(long[] histogram, double percentile)
    {
        if (percentile is <= 0 or > 100) throw new ResNetSharpException($"the calibration percentile must be in (0, 100], not {percentile}.");
        double total = histogram.Sum(), wanted = total * percentile / 100, cumulative = 0;
        for (int i = 0; i < histogram.Length; i++)
            if ((cumulative += histogram[i]) >= wanted) return i + 1;
        return histogram.Length;
    }

    /// <summary>
    /// The number of bins to keep (≥ <see cref="QuantizedBins"/>) that minimises KL(P‖Q): P the histogram clipped
    /// there (the outliers added to its last bin), Q that histogram merged into <see cref="QuantizedBins"/> levels and
    /// spread back over the bins that were non-empty in P.
    /// </summary>
    internal static int EntropyBin(long[] histogram)
    {
        int best = histogram.Length;
        double bestKl = double.PositiveInfinity;
        var p = new double[histogram.Length];
        var q = new double[histogram.Length];
        double total = histogram.Sum();
        for (int keep = QuantizedBins; keep <= histogram.Length; keep++)
        {
            double outliers = 0;
            for (int i = keep; i < histogram.Length; i++) outliers += histogram[i];
            for (int i = 0; i < keep; i++) p[i] = histogram[i];
            p[keep - 1] += outliers;
            double merged = keep / (double)QuantizedBins;
            for (int j = 0; j < QuantizedBins; j++)
            {
                int start = (int)(j * merged), stop = j == QuantizedBins - 1 ? keep : (int)((j + 1) * merged);
                double sum = 0;
                int nonEmpty = 0;
                for (int i = start; i < stop; i++)
                {
                    sum += histogram[i];
                    if (p[i] > 0) nonEmpty++;
                }
                for (int i = start; i < stop; i++) q[i] = p[i] > 0 ? sum / nonEmpty : 0;
            }
            double kl = Divergence(p.AsSpan(0, keep), q.AsSpan(0, keep), total);
            if (kl < bestKl) (bestKl, best) = (kl, keep);
        }
        return best;
    }

    /// <summary>KL(P‖Q) of two unnormalised histograms; a bin empty in Q where P is not counts as a tiny share.</summary>
    private static double Divergence(ReadOnlySpan<double> p, ReadOnlySpan<double> q, double total)
    {
        double qTotal = 0;
        foreach (var v in q) qTotal += v;
        if (qTotal == 0) return double.PositiveInfinity;
        double kl = 0, floor = 1e-12;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == 0) continue;
            double pi = p[i] / total, qi = Math.Max(q[i] / qTotal, floor);
            kl += pi * Math.Log(pi / qi);
        }
        return kl;
    }
}
