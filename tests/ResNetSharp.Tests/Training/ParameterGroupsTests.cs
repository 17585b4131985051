using ResNetSharp.Models;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Training;

public class ParameterGroupsTests
{
    [Fact]
    public void Batch_norm_parameters_and_biases_get_no_weight_decay()
    {
        using var model = ResNet.Create("small_resnet");   // has a stem conv bias, projection shortcuts and fc
        var (decay, noDecay) = ParameterGroups.Split(model);
        // Expected from the names alone: weights of conv/linear layers decay; every bias and every BN weight does not.
        var bn = model.named_modules().Where(m => m.module is TorchSharp.Modules.BatchNorm2d).Select(m => m.name).ToHashSet();
        foreach (var (name, _) in model.named_parameters())
        {
            string owner = name[..name.LastIndexOf('.')];
            bool shouldDecay = name.EndsWith(".weight") && !bn.Contains(owner);
            Assert.Equal(shouldDecay, decay.Any(d => d.Name == name));
            Assert.Equal(!shouldDecay, noDecay.Any(d => d.Name == name));
        }
        Assert.Contains(noDecay, p => p.Name == "conv1.bias");
        Assert.Contains(noDecay, p => p.Name == "fc.bias");
        Assert.Contains(noDecay, p => p.Name == "bn1.weight");
        Assert.Contains(decay, p => p.Name == "fc.weight");
    }

    [Fact]
    public void Optimizer_groups_carry_the_weight_decay()
    {
        using var model = ResNet.Create("resnet20");
        using var sgd = ParameterGroups.CreateOptimizer(model, new TrainOptions { WeightDecay = 0.01 });
        Assert.IsType<ForeachSgd>(sgd);   // the multi-tensor step that the GPU benchmarks measured
        var groups = sgd.ParamGroups.Cast<TorchSharp.Modules.SGD.ParamGroup>().ToList();
        Assert.Equal([0.01, 0.0], groups.Select(g => g.Options.weight_decay!.Value));
        var (decay, noDecay) = ParameterGroups.Split(model);
        Assert.Equal([decay.Count, noDecay.Count], groups.Select(g => g.Parameters.Count()));
    }

    [Fact]
    public void Frozen_parameters_are_left_out()
    {
        using var model = ResNet.Create("small_resnet");
        foreach (var (name, p) in model.named_parameters()) if (!name.StartsWith("fc.")) p.requires_grad = false;
        var (decay, noDecay) = ParameterGroups.Split(model);
        Assert.Equal(["fc.weight", "fc.bias"], decay.Concat(noDecay).Select(p => p.Name));
    }
}
