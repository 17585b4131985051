using ResNetSharp.Interop;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class WeightLoadingTests
{
    [Fact]
    public void Half_and_bfloat16_weights_convert_exactly_into_float32_parameters()
    {
        using var dir = new TempDir();
        string path = dir.Combine("half.safetensors");
        // IEEE binary16: 0x3E00 = 1.5, 0xC000 = -2, 0x3555 = 0.333251953125 (= 1365/4096).
        // bfloat16 (top half of binary32): 0x3F80 = 1, 0xC060 = -3.5, 0x3DCD = 0.10009765625 (= 0x3DCD0000 as float32).
        File.WriteAllBytes(path, SafeTensorsTests.Raw(
            """{"weight":{"dtype":"F16","shape":[1,3],"data_offsets":[0,6]},"bias":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]}}""",
            0x00, 0x3E, 0x00, 0xC0, 0x55, 0x35, 0x60, 0xC0));
        using var linear = nn.Linear(3, 1);
        var report = WeightLoading.LoadFile(linear, path);
        Assert.True(report.IsExact);
        Assert.Equal(new[] { 1.5f, -2f, 0.333251953125f }, linear.weight!.data<float>().ToArray());
        Assert.Equal(new[] { -3.5f }, linear.bias!.data<float>().ToArray());
        Assert.Equal(ScalarType.Float32, linear.weight.dtype);
    }

    [Fact]
    public void Strict_mode_lists_missing_unexpected_and_mismatched_keys_by_name()
    {
        using var model = ResNet.Create("small_resnet", numClasses: 10);
        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        weights.Remove("layer1.0.bn1.running_var");
        using var extra = zeros(1);
        using var wrongFc = zeros(5, 32);
        weights["extra.weight"] = extra;
        weights["fc.weight"] = wrongFc;
        var e = Assert.Throws<ResNetSharpException>(() => WeightLoading.LoadInto(model, weights));
        Assert.Contains("layer1.0.bn1.running_var", e.Message);
        Assert.Contains("extra.weight", e.Message);
        Assert.Contains("fc.weight (file [5, 32], model [10, 32])", e.Message);
    }

    [Fact]
    public void Non_strict_mode_loads_what_fits_including_buffers()
    {
        using var source = ResNet.Create("small_resnet", numClasses: 5);
        using (no_grad())
        {
            foreach (var (_, t) in source.state_dict()) t.fill_(3);
        }
        using var target = ResNet.Create("small_resnet", numClasses: 10);
        using var weights = WeightLoading.StateDict(source);
        var report = WeightLoading.LoadInto(target, weights.Tensors, strict: false);
        Assert.Equal(["fc.weight", "fc.bias"], report.Mismatched.Select(m => m.Key));
        Assert.Empty(report.Missing);
        var loaded = target.state_dict();
        Assert.Equal(3f, loaded["layer2.1.bn2.running_mean"][0].item<float>());
        Assert.Equal(3L, loaded["layer2.1.bn2.num_batches_tracked"].item<long>());
        Assert.Equal(3f, loaded["conv1.bias"][0].item<float>());
        Assert.NotEqual(3f, loaded["fc.bias"][0].item<float>());
    }

    [Fact]
    public void State_dicts_without_num_batches_tracked_load_strictly_as_in_pytorch()
    {
        using var source = ResNet.Create("small_resnet");
        using var weights = WeightLoading.StateDict(source);
        var old = weights.Tensors.Where(kv => !kv.Key.EndsWith("num_batches_tracked")).ToDictionary();
        using var target = ResNet.Create("small_resnet");
        var report = WeightLoading.LoadInto(target, old);
        Assert.Empty(report.Missing);
        Assert.Equal(old.Count, report.Loaded.Count);
    }

    [Fact]
    public void Long_key_lists_are_truncated_in_the_error()
    {
        using var model = ResNet.Create("resnet18");
        var e = Assert.Throws<ResNetSharpException>(() => WeightLoading.LoadInto(model, new Dictionary<string, Tensor>()));
        Assert.Contains("more (102 in all)", e.Message); // 122 state_dict keys less 20 num_batches_tracked
    }

    [Fact]
    public void Unknown_extension_and_missing_file_are_clear_errors()
    {
        using var dir = new TempDir();
        using var model = nn.Linear(1, 1);
        Assert.Contains("not found", Assert.Throws<ResNetSharpException>(() => WeightLoading.LoadFile(model, dir.Combine("none.pth"))).Message);
        File.WriteAllText(dir.Combine("w.bin"), "x");
        Assert.Contains(".safetensors, .pth or .pt", Assert.Throws<ResNetSharpException>(() => WeightLoading.LoadFile(model, dir.Combine("w.bin"))).Message);
    }
}
