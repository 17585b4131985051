using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class RgbaNormalizerTests
{
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f];

    [Theory]
    [InlineData(false)]   // the CPU loop
    [InlineData(true)]    // the accelerator's tiled kernel, run on the CPU
    public void BothPathsEqualToTensorPlusNormalizeAndAreChannelsLast(bool onDevice)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var rgba = randint(0, 256, [3, 6, 6, 4], dtype: ScalarType.Byte, generator: generator);
        using var normalizer = new RgbaNormalizer(Mean, Std, 6, CPU, onDevice);
        Assert.Equal(onDevice, normalizer.OnDevice);
        var actual = normalizer.Apply(rgba);
        var expected = TensorTransforms.Normalize(rgba.narrow(3, 0, 3).permute(0, 3, 1, 2), Mean, Std);
        Assert.Equal(new long[] { 3, 3, 6, 6 }, actual.shape);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"differs by {(actual - expected).abs().max().item<float>()}");
        if (!onDevice) Assert.Equal(new long[] { 6 * 6 * 3, 1, 6 * 3, 3 }, actual.stride());   // channels-last [B,H,W,3]
    }
}
