using ResNetSharp.Experiments;
using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Experiments;

public class GradientNormsTests
{
    /// <summary>conv (2 -> 3 channels, 3x3, padding 1, no bias), global average pool: the pooled maps are the logits.</summary>
    private sealed class OneConvNet : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv = nn.Conv2d(2, 3, 3, padding: 1, bias: false);

        public OneConvNet() : base(nameof(OneConvNet)) => RegisterComponents();

        public Tensor Weight => ((TorchSharp.Modules.Conv2d)conv).weight!;

        public override Tensor forward(Tensor x) => conv.call(x).mean([2, 3]);
    }

    [Fact]
    public void One_conv_net_matches_hand_computed_gradient()
    {
        torch.manual_seed(3);
        using var net = new OneConvNet();
        const int n = 2, c = 2, k = 3, s = 4;
        var x = randn(n, c, s, s);
        var labels = tensor(new long[] { 2, 0 });

        var norms = GradientNorms.ConvWeights(net, x, labels);

        // Hand gradient: logits[m,o] = mean_{h,w} sum_{ch,i,j} W[o,ch,i,j] xpad[m,ch,h+i,w+j], loss = mean_m CE,
        // so dL/dW[o,ch,i,j] = sum_m g[m,o] * mean_{h,w} xpad[m,ch,h+i,w+j] with g = (softmax - onehot) / n.
        var xs = x.data<float>().ToArray();
        var ws = net.Weight.detach().data<float>().ToArray();
        double X(int m, int ch, int h, int w) => h < 0 || w < 0 || h >= s || w >= s ? 0 : xs[((m * c + ch) * s + h) * s + w];
        double[,,,] window = new double[n, c, 3, 3];
        for (int m = 0; m < n; m++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)
        {
            double sum = 0;
            for (int h = 0; h < s; h++) for (int w = 0; w < s; w++) sum += X(m, ch, h + i - 1, w + j - 1);
            window[m, ch, i, j] = sum / (s * s);
        }
        var g = new double[n, k];
        for (int m = 0; m < n; m++)
        {
            var logits = new double[k];
            for (int o = 0; o < k; o++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)
                logits[o] += ws[((o * c + ch) * 3 + i) * 3 + j] * window[m, ch, i, j];
            double z = logits.Sum(Math.Exp);
            for (int o = 0; o < k; o++) g[m, o] = (Math.Exp(logits[o]) / z - (labels[m].item<long>() == o ? 1 : 0)) / n;
        }
        double squares = 0;
        for (int o = 0; o < k; o++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++)
        {
            double d = 0;
            for (int m = 0; m < n; m++) d += g[m, o] * window[m, ch, i, j];
            squares += d * d;
        }

        Assert.Equal("conv.weight", Assert.Single(norms).Name);
        Assert.Equal(Math.Sqrt(squares), norms[0].GradNorm, 1e-6);
    }

    [Fact]
    public void Resnet_norms_match_autograd_grad_in_depth_order()
    {
        torch.manual_seed(1);
        using var model = ResNet.Create("resnet20");
        model.train();
        var (images, labels) = GradientFlow.RandomBatch(4, seed: 5, CPU);

        var norms = GradientNorms.ConvWeights(model, images, labels);

        var convs = model.named_parameters().Where(p => p.parameter.dim() == 4).ToList();
        using var loss = nn.functional.cross_entropy(model.call(images), labels);
        var grads = torch.autograd.grad([loss], convs.Select(p => (Tensor)p.parameter).ToList());
        var expected = grads.Select(gr => Math.Sqrt(gr.data<float>().ToArray().Sum(v => (double)v * v))).ToList();

        // resnet20: stem conv, then 3 stages x 3 blocks x 2 convs (option A shortcuts have no weights).
        var names = new List<string> { "conv1.weight" };
        for (int stage = 1; stage <= 3; stage++) for (int b = 0; b < 3; b++) for (int conv = 1; conv <= 2; conv++)
            names.Add($"layer{stage}.{b}.conv{conv}.weight");
        Assert.Equal(names, norms.Select(l => l.Name));
        for (int i = 0; i < norms.Count; i++)
            Assert.Equal(expected[i], norms[i].GradNorm, expected[i] * 1e-5);
    }
}
