using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class WeightAverageTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Update_moves_parameters_by_the_decay_and_copies_buffers(bool channelsLast)
    {
        manual_seed(11);
        using var model = ResNet.Create("small_resnet");
        if (channelsLast) ChannelsLast.Apply(model);
        using var ema = new WeightAverage(model, 0.9);
        var before = ema.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        // Change the source: new weights, and batch-norm statistics from one training-mode forward pass.
        using (no_grad()) foreach (var p in model.parameters()) p.add_(randn_like(p));
        model.train();
        model.call(randn(4, 3, 8, 8));
        ema.Update();

        var source = model.state_dict();
        var parameters = model.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var (name, average) in ema.Model.state_dict())
        {
            // Hand computation: 0.9 * old + 0.1 * new for parameters; buffers equal the source's.
            var expected = parameters.Contains(name) ? before[name] * 0.9 + source[name] * 0.1 : source[name];
            Assert.True(average.allclose(expected, rtol: 1e-5, atol: 1e-6), name);
        }
        Assert.False(ema.Model.state_dict()["bn1.running_mean"].allclose(before["bn1.running_mean"]));
        Assert.Equal(channelsLast, ChannelsLast.IsChannelsLast(ema.Model.state_dict()["conv1.weight"]));
    }
}
