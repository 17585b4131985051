using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Runtime;

public class TorchTests
{
    [Fact]
    public void Libtorch_loads_and_computes_a_convolution()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }).reshape(1, 1, 3, 3);
        var kernel = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        var y = nn.functional.conv2d(x, kernel);
        // 1*1 + 2*2 + 4*3 + 5*4 = 37; shifted right: 2 + 6 + 15 + 24 = 47; down: 67; down-right: 77.
        Assert.Equal(new float[] { 37, 47, 67, 77 }, y.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Devices_resolve_cpu_and_auto()
    {
        Assert.Equal(DeviceType.CPU, Devices.Resolve("cpu").type);
        Assert.Equal(DeviceType.CPU, Devices.Resolve(" CPU ").type);
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, Devices.Resolve("auto").type);
    }

    [Theory]
    [InlineData("gpu", "unknown device 'gpu'")]
    [InlineData("cuda:x", "must be a number")]
    [InlineData("cuda:-1", "must be a number")]
    [InlineData("", "unknown device ''")]
    public void Malformed_device_is_a_clear_error(string spec, string message)
    {
        var e = Assert.Throws<ResNetSharpException>(() => Devices.Resolve(spec));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Cuda_is_an_error_without_a_gpu_and_an_index_past_the_last_gpu_is_too()
    {
        if (cuda.is_available())
        {
            var e = Assert.Throws<ResNetSharpException>(() => Devices.Resolve($"cuda:{cuda.device_count()}"));
            Assert.Contains("does not exist", e.Message);
        }
        else
        {
            var e = Assert.Throws<ResNetSharpException>(() => Devices.Resolve("cuda"));
            Assert.Contains("TrainOptions.Device cpu", e.Message);
        }
    }
}
