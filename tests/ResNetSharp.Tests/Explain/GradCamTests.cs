using ResNetSharp.Explain;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Explain;

public class GradCamTests
{
    /// <summary>resnet20 with random weights and non-trivial batch-norm statistics, in eval mode.</summary>
    private static ResNet Model()
    {
        manual_seed(3);
        var model = ResNet.Create("resnet20", numClasses: 10);
        using (no_grad())
            foreach (var (name, t) in model.named_buffers())
                if (name.EndsWith("running_mean")) t.uniform_(-0.2, 0.2);
                else if (name.EndsWith("running_var")) t.uniform_(0.5, 1.5);
        model.eval();
        return model;
    }

    private static double Sum(float[][] map) => map.Sum(row => row.Sum(v => (double)v));

    [Fact]
    public void Raw_map_of_the_last_stage_sums_to_the_logit_minus_the_bias()
    {
        using var model = Model();
        using var x = randn(3, 3, 32, 32);
        int[] classes = [2, 7, 7];
        var maps = GradCam.Compute(model, x, classes);
        using var logits = model.call(x);
        using var bias = model.state_dict()["fc.bias"].detach().clone();
        for (int i = 0; i < 3; i++)
        {
            int c = maps[i].Class;
            Assert.Equal(classes[i], c);
            double expected = logits[i, c].item<float>() - bias[c].item<float>();
            Assert.Equal(expected, Sum(maps[i].Raw), 1e-3 * Math.Max(1, Math.Abs(expected)));
            Assert.Equal(logits[i, c].item<float>(), maps[i].Logit, 1e-4);
            Assert.Equal(8, maps[i].Raw.Length);   // resnet20's last stage is 8x8 on a 32x32 input
            Assert.Equal(32, maps[i].Map.Length);
        }
    }

    [Fact]
    public void Raw_map_equals_one_computed_from_the_activation_and_autograd()
    {
        using var model = Model();
        using var x = randn(2, 3, 32, 32);
        var maps = GradCam.Compute(model, x);   // the predicted classes
        using var scope = NewDisposeScope();
        var w = model.state_dict()["fc.weight"].detach();
        var b = model.state_dict()["fc.bias"].detach();
        var a = model.ForwardFeatures(x);   // the last stage's output
        var logits = a.mean([2, 3]).matmul(w.t()) + b;
        for (int i = 0; i < 2; i++)
        {
            int c = (int)logits[i].argmax().item<long>();
            Assert.Equal(c, maps[i].Class);
            var grad = autograd.grad([logits[i, c]], [a], retain_graph: true)[0][i];
            var raw = (grad.mean([1, 2], keepdim: true) * a[i]).sum([0L]);
            var expected = raw.detach().data<float>().ToArray();
            Assert.Equal(expected.Length, maps[i].Raw.Sum(r => r.Length));
            var actual = maps[i].Raw.SelectMany(r => r).ToArray();
            for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], 1e-5);
            // The map is the ReLU'd raw map, min-max normalised and upsampled: within [0, 1], reaching both ends.
            var flat = maps[i].Map.SelectMany(r => r).ToArray();
            Assert.InRange(flat.Min(), 0f, 0.05f);
            Assert.InRange(flat.Max(), 0.9f, 1f);
            Assert.All(flat, v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Theory]
    [InlineData("layer3", CamMethod.GradCam)]
    [InlineData("layer2.1", CamMethod.GradCamPlusPlus)]
    public void A_batch_gives_each_image_the_maps_it_gets_alone(string layer, CamMethod method)
    {
        using var model = Model();
        using var x = randn(3, 3, 32, 32);
        var batch = GradCam.Compute(model, x, [1, 4, 9], layer, method);
        for (int i = 0; i < 3; i++)
        {
            using var one = x[i..(i + 1)];
            var alone = GradCam.Compute(model, one, [batch[i].Class], layer, method).Single();
            Assert.Equal(layer, alone.Layer);
            var (a, e) = (batch[i].Raw.SelectMany(r => r).ToArray(), alone.Raw.SelectMany(r => r).ToArray());
            for (int j = 0; j < a.Length; j++) Assert.Equal(e[j], a[j], 1e-4);
        }
    }

    [Fact]
    public void GradCamPlusPlus_weights_follow_the_formula_on_a_hand_made_activation_and_gradient()
    {
        // One image, two channels of 2x2: A and dA by hand.
        float[] a = [1, 2, 0, 1, /**/ 0.5f, 0, 0, 1.5f];
        float[] g = [0.5f, -1, 0, 2, /**/ 1, 0.25f, -0.5f, 0];
        using var at = tensor(a, [1, 2, 2, 2]);
        using var gt = tensor(g, [1, 2, 2, 2]);
        using var weights = GradCam.ChannelWeights(at, gt, CamMethod.GradCamPlusPlus);
        for (int k = 0; k < 2; k++)
        {
            double sumA = a.Skip(4 * k).Take(4).Sum(v => (double)v), w = 0;
            foreach (double d in g.Skip(4 * k).Take(4))
                if (d != 0) w += Math.Max(d, 0) * d * d / (2 * d * d + sumA * d * d * d + 1e-7);
            Assert.Equal(w, weights[0, k].item<float>(), 1e-5);
        }
        // Grad-CAM's weight is the plain spatial mean.
        using var plain = GradCam.ChannelWeights(at, gt, CamMethod.GradCam);
        Assert.Equal((0.5 - 1 + 0 + 2) / 4, plain[0, 0].item<float>(), 1e-6);
    }

    [Fact]
    public void Repeated_calls_leave_no_tensor_and_no_hook_behind()
    {
        manual_seed(4);
        using var model = ResNet.Create("small_resnet");
        using var x = randn(1, 3, 8, 8);
        GradCam.Compute(model, x);   // warm-up (lazy module state)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.TotalCount;
        for (int i = 0; i < 100; i++) GradCam.Compute(model, x, layer: i % 2 == 0 ? "layer2" : "layer1.0", method: (CamMethod)(i % 2));
        Assert.Equal(before, Tensor.TotalCount);
        using (var scope = NewDisposeScope()) model.call(x);   // a hook left behind would keep an alias of an activation
        Assert.Equal(before, Tensor.TotalCount);
        Assert.True(model.training);   // restored to the mode it was in
    }

    [Fact]
    public void Bad_arguments_are_clear_errors()
    {
        using var model = Model();
        using var x = randn(2, 3, 32, 32);
        var layer = Assert.Throws<ResNetSharpException>(() => GradCam.Compute(model, x, layer: "layer4"));
        Assert.Contains("no layer 'layer4'", layer.Message);
        Assert.Contains("layer3, layer3.0, layer3.1, layer3.2", layer.Message);
        var range = Assert.Throws<ResNetSharpException>(() => GradCam.Compute(model, x, [0, 10]));
        Assert.Contains("class 10 is out of range", range.Message);
        var count = Assert.Throws<ResNetSharpException>(() => GradCam.Compute(model, x, [1]));
        Assert.Contains("1 target classes for 2 images", count.Message);
    }
}
