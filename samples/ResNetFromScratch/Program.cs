// ResNets from scratch in C#, the path of the PyTorch tutorials: a residual block by hand, a small network trained
// one step, the bottleneck ResNet-50/101/152 with a shape check, then the same networks from the ResNetSharp library,
// and a plain network beside a residual one. Every step checks itself; the exit code is 1 when a check fails.
using ResNetFromScratch;
using ResNetSharp.Experiments;
using ResNetSharp.Models;
using ResNetSharp.Samples;
using TorchSharp;
using static TorchSharp.torch;

var checks = new Checks();
manual_seed(0);

// 1. The residual block: out = relu(F(x) + x). Same width and stride: the identity shortcut keeps the shape.
using (var scope = NewDisposeScope())
{
    var x = randn(2, 16, 8, 8);
    using var identity = new BasicBlock(16, 16);
    using var projection = new BasicBlock(16, 32, stride: 2);
    var same = identity.call(x);
    var down = projection.call(x);
    checks.That(same.shape.SequenceEqual([2L, 16, 8, 8]), $"identity block: [2, 16, 8, 8] -> [{Shape(same)}]");
    // Stride 2 and twice the width: x no longer fits F(x), so the 1x1 projection shortcut maps it.
    checks.That(down.shape.SequenceEqual([2L, 32, 4, 4]), $"projection block (stride 2, 16 -> 32): [2, 16, 8, 8] -> [{Shape(down)}]");
}

// 2. A two-stage ResNet trained one step on random data: the loss on that batch goes down.
using (var scope = NewDisposeScope())
{
    using var net = new TwoStageResNet(numClasses: 10);
    using var optimizer = optim.SGD(net.parameters(), learningRate: 0.05, momentum: 0.9);
    var images = randn(16, 3, 32, 32);
    var labels = randint(10, [16]);
    net.train();
    var loss = nn.functional.cross_entropy(net.call(images), labels);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    using (no_grad())
    {
        var after = nn.functional.cross_entropy(net.call(images), labels);
        checks.That(after.item<float>() < loss.item<float>(), $"two-stage ResNet, one SGD step: loss {loss.item<float>():F4} -> {after.item<float>():F4}");
    }
}

// 3. Bottleneck ResNets built with MakeLayer, the tutorial's test(): a random batch gives [1, 1000] logits, and the
// library's model of the same name has exactly as many parameters.
foreach (var (name, blocks) in new[] { ("resnet50", new[] { 3, 4, 6, 3 }), ("resnet101", [3, 4, 23, 3]), ("resnet152", [3, 8, 36, 3]) })
{
    using var scope = NewDisposeScope();
    using var byHand = new BottleneckResNet(blocks);
    using var library = ResNet.Create(name);
    byHand.eval();
    using (no_grad())
    {
        var logits = byHand.call(randn(1, 3, 64, 64));
        checks.That(logits.shape.SequenceEqual([1L, 1000]), $"{name} by hand: [1, 3, 64, 64] -> [{Shape(logits)}]");
    }
    long mine = Parameters(byHand), theirs = Parameters(library);
    checks.That(mine == theirs, $"{name}: {mine:N0} parameters by hand, {theirs:N0} in ResNet.Create(\"{name}\")");
}

// 4. The same networks, weight for weight: the field names are torchvision's state_dict names, so the library's
// weights load into the hand-written model and both give the same logits. resnet50v2 is the pre-activation
// ResNet of He et al. 2016 (Keras' ResNet50V2).
foreach (var (name, preActivation) in new[] { ("resnet50", false), ("resnet50v2", true) })
{
    using var scope = NewDisposeScope();
    using var library = ResNet.Create(name);
    using var byHand = new BottleneckResNet([3, 4, 6, 3], preActivation);
    byHand.load_state_dict(library.state_dict(), strict: true);
    library.eval();
    byHand.eval();
    using (no_grad())
    {
        var x = randn(2, 3, 64, 64);
        double diff = (library.call(x) - byHand.call(x)).abs().max().item<float>();
        checks.That(Parameters(byHand) == Parameters(library) && diff < 1e-4,
            $"{name}: library weights loaded by hand ({Parameters(library):N0} parameters), max |logit difference| {diff:E1}");
    }
}

// 5. Why residuals: a plain 56-layer net and its residual twin (same layers, same initialisation seed), one backward
// pass on the same random batch. The plain net's gradient at its first convolution is far from that at its last
// (it explodes through the 56 BN-ReLU layers); the shortcuts keep the residual net's gradients at one scale.
using (var scope = NewDisposeScope())
{
    var images = randn(16, 3, 32, 32);
    var labels = randint(10, [16]);
    var ratios = new Dictionary<string, double>();
    foreach (var name in new[] { "plain56", "resnet56" })
    {
        manual_seed(1);
        using var model = ResNet.Create(name);
        model.train();
        var layers = GradientNorms.ConvWeights(model, images, labels);
        ratios[name] = layers[0].GradNorm / layers[^1].GradNorm;
        Console.WriteLine($"  {name}: |grad| first conv {layers[0].GradNorm:E2}, last conv {layers[^1].GradNorm:E2} (first/last {ratios[name]:E2})");
    }
    checks.That(Math.Abs(Math.Log10(ratios["resnet56"])) < Math.Abs(Math.Log10(ratios["plain56"])),
        $"gradient at the first layer: first/last {ratios["plain56"]:E1} (plain56) vs {ratios["resnet56"]:E1} (resnet56)");
}

return checks.ExitCode;

static long Parameters(nn.Module module) => module.parameters().Sum(p => p.numel());

static string Shape(Tensor t) => string.Join(", ", t.shape);
