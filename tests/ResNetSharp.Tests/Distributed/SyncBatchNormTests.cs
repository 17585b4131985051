using ResNetSharp.Distributed;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Distributed;

public class SyncBatchNormTests
{
    // In a world of one, the global batch is the local one: outputs, input gradients, parameter gradients and running
    // statistics equal plain batch norm's (libtorch's own kernel).
    [Fact]
    public void In_a_world_of_one_it_equals_batch_norm()
    {
        torch.manual_seed(5);
        using var plain = ResNet.Create("small_resnet", numClasses: 3);
        using var synced = ResNet.Create("small_resnet", numClasses: 3);
        synced.load_state_dict(plain.state_dict());
        using var group = new SingleProcessGroup(TimeSpan.FromSeconds(1));
        using var sync = new SyncBatchNorm(synced, group);
        plain.train();
        synced.train();
        using var scope = NewDisposeScope();
        var x = randn(6, 3, 12, 12);
        var xa = x.clone().requires_grad_();
        var xb = x.clone().requires_grad_();
        var ya = plain.forward(xa);
        var yb = synced.forward(xb);
        Assert.True(ya.allclose(yb, rtol: 1e-5, atol: 1e-6));
        ya.square().sum().backward();
        yb.square().sum().backward();
        Assert.True(xa.grad!.allclose(xb.grad!, rtol: 1e-4, atol: 1e-6));
        var pa = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in synced.named_parameters())
            Assert.True(pa[name].grad!.allclose(p.grad!, rtol: 1e-4, atol: 1e-5), name);
        var ba = plain.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, b) in synced.named_buffers())
            Assert.True(ba[name].to(ScalarType.Float64).allclose(b.to(ScalarType.Float64), rtol: 1e-5, atol: 1e-7), name);
    }
}
