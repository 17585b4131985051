using ResNetSharp.Quantization;

namespace ResNetSharp.Tests.Quantization;

/// <summary>Each calibration method computes the range it documents on hand-made activations.</summary>
public class ActivationRangeTests
{
    /// <summary>100,000 values evenly spread over [0, 1), then <paramref name="outliers"/> copies of <paramref name="outlier"/>, in two batches.</summary>
    private static ActivationRange Observe(CalibrationMethod method, float outlier, int outliers, bool negate = false)
    {
        var bulk = Enumerable.Range(0, 100_000).Select(i => i / 100_000f * (negate && i % 2 == 1 ? -1 : 1)).ToArray();
        var far = Enumerable.Repeat(outlier, outliers).ToArray();
        var range = new ActivationRange();
        range.ObserveMinMax(bulk);
        range.ObserveMinMax(far);
        if (method != CalibrationMethod.MinMax)
        {
            range.ObserveHistogram(bulk);
            range.ObserveHistogram(far);
        }
        return range;
    }

    [Fact]
    public void Minmax_is_the_observed_extremes_widened_to_zero()
    {
        Assert.Equal((0f, 8f), Observe(CalibrationMethod.MinMax, 8, 1).Range(CalibrationMethod.MinMax));
        var shifted = new ActivationRange();
        shifted.ObserveMinMax([2f, 3f, 5f]);
        Assert.Equal((0f, 5f), shifted.Range(CalibrationMethod.MinMax));
        shifted.ObserveMinMax([-1.5f]);
        Assert.Equal((-1.5f, 5f), shifted.Range(CalibrationMethod.MinMax));
    }

    [Fact]
    public void Percentile_keeps_that_share_of_the_absolute_values()
    {
        // 10 of 100,010 values (0.01%) sit at 100: the 99.99th percentile of |x| is the top of the bulk, 1,
        // to within one histogram bin (100 / 2048); the 99.999th keeps the outliers.
        var (lo, hi) = Observe(CalibrationMethod.Percentile, 100, 10).Range(CalibrationMethod.Percentile, 99.99);
        Assert.Equal(0f, lo);
        Assert.InRange(hi, 1f, 1f + 100f / ActivationRange.Bins);
        Assert.InRange(Observe(CalibrationMethod.Percentile, 100, 10).Range(CalibrationMethod.Percentile, 99.9999).Hi, 99.9f, 100f);
        // A signed activation gets a symmetric range.
        var (sLo, sHi) = Observe(CalibrationMethod.Percentile, 100, 10, negate: true).Range(CalibrationMethod.Percentile, 99.99);
        Assert.Equal(-sHi, sLo);
        Assert.InRange(sHi, 1f, 1f + 100f / ActivationRange.Bins);
    }

    [Fact]
    public void Entropy_clips_a_lone_far_outlier_and_keeps_a_uniform_range()
    {
        // A bell-like bulk (exponential quantiles, mean 0.25, largest 3.05) and one value at 20: the KL-optimal
        // threshold lies inside the bulk's tail, far below the outlier that min/max would keep.
        var bulk = Enumerable.Range(0, 100_000).Select(i => (float)(-0.25 * Math.Log(1 - (i + 0.5) / 100_000))).ToArray();
        var range = new ActivationRange();
        foreach (var pass in new Action<float[]>[] { v => range.ObserveMinMax(v), v => range.ObserveHistogram(v) })
        {
            pass(bulk);
            pass([20f]);
        }
        Assert.Equal(20f, range.Range(CalibrationMethod.MinMax).Hi);
        var (lo, hi) = range.Range(CalibrationMethod.Entropy);
        Assert.Equal(0f, lo);
        Assert.InRange(hi, 1f, 3.1f);
        // A uniform activation has nothing worth clipping: the threshold is (almost) its maximum.
        var (_, full) = Observe(CalibrationMethod.Entropy, 0.99999f, 1).Range(CalibrationMethod.Entropy);
        Assert.InRange(full, 0.95f, 1f);
    }

    [Fact]
    public void Method_names_parse_and_bad_settings_are_one_clear_error()
    {
        Assert.Equal(CalibrationMethod.Entropy, QuantizeOptions.ParseMethod(" Entropy "));
        Assert.Contains("minmax, percentile or entropy", Assert.Throws<ResNetSharpException>(() => QuantizeOptions.ParseMethod("kl")).Message);
        Assert.Contains("QuantizeOptions.CalibrationImages", Assert.Throws<ResNetSharpException>(() => new QuantizeOptions { CalibrationImages = 0 }.Check()).Message);
        Assert.Contains("QuantizeOptions.Percentile", Assert.Throws<ResNetSharpException>(() => new QuantizeOptions { Percentile = 101 }.Check()).Message);
    }
}
