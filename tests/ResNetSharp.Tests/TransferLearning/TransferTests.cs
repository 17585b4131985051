using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.TransferLearning;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.TransferLearning;

public class TransferTests
{
    [Theory]
    [InlineData("none", "conv1.weight", false)]
    [InlineData("backbone", "layer2.1.bn2.weight", true)]
    [InlineData("backbone", "fc.weight", false)]
    [InlineData("until:layer1", "bn1.bias", true)]
    [InlineData("until:layer1", "layer1.0.conv1.weight", true)]
    [InlineData("until:layer1", "layer2.0.conv1.weight", false)]
    [InlineData("until:layer3", "layer3.5.bn2.running_mean", true)]
    public void Freeze_spec_selects_the_named_part(string spec, string key, bool frozen) =>
        Assert.Equal(frozen, FreezeSpec.Parse(spec).Freezes(key));

    [Theory]
    [InlineData("all")]
    [InlineData("until:layer0")]
    [InlineData("until:3")]
    public void Bad_freeze_specs_are_clear_errors(string spec) =>
        Assert.Contains("until:layer", Assert.Throws<ResNetSharpException>(() => FreezeSpec.Parse(spec)).Message);

    [Fact]
    public void Freezing_more_stages_than_the_model_has_is_an_error()
    {
        using var model = ResNet.Create("small_resnet");
        Assert.Contains("2 stages", Assert.Throws<ResNetSharpException>(() => Transfer.Freeze(model, FreezeSpec.Parse("until:layer3"))).Message);
    }

    [Fact]
    public void Frozen_parameters_get_no_gradient_and_frozen_batchnorm_keeps_its_statistics()
    {
        manual_seed(1);
        using var model = ResNet.Create("small_resnet", numClasses: 4);
        var spec = FreezeSpec.Parse("until:layer1");
        Transfer.Freeze(model, spec);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var optimizer = optim.SGD(model.parameters(), 0.1);

        model.train();
        Transfer.ApplyFrozenBatchNormEval(model, spec);
        using (var scope = NewDisposeScope())
        {
            var loss = nn.functional.cross_entropy(model.call(randn(4, 3, 8, 8)), tensor(new long[] { 0, 1, 2, 3 }));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        var after = model.state_dict();
        foreach (var (name, p) in model.named_parameters())
        {
            bool frozen = spec.Freezes(name);
            Assert.Equal(frozen, p.grad is null);
            Assert.Equal(frozen, before[name].equal(after[name]).all().item<bool>());
        }
        Assert.True(before["bn1.running_mean"].eq(after["bn1.running_mean"]).all().item<bool>());
        Assert.True(before["layer1.1.bn2.running_var"].eq(after["layer1.1.bn2.running_var"]).all().item<bool>());
        Assert.False(before["layer2.0.bn1.running_mean"].eq(after["layer2.0.bn1.running_mean"]).all().item<bool>());
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void Backbone_loads_into_a_model_with_another_class_count_but_other_mismatches_still_fail()
    {
        using var pretrained = ResNet.Create("small_resnet", numClasses: 10);
        using var weights = WeightLoading.StateDict(pretrained);
        using var model = ResNet.Create("small_resnet", numClasses: 3);
        var report = Transfer.LoadBackbone(model, weights.Tensors);
        Assert.Equal(["fc.weight", "fc.bias"], report.Mismatched.Select(m => m.Key));
        Assert.True(weights.Tensors["layer2.1.conv2.weight"].eq(model.state_dict()["layer2.1.conv2.weight"]).all().item<bool>());

        using var other = ResNet.Create("resnet20", numClasses: 3);
        Assert.Contains("do not fit the model's backbone", Assert.Throws<ResNetSharpException>(() => Transfer.LoadBackbone(other, weights.Tensors)).Message);
    }
}
