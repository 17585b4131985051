using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Explain;

/// <summary>How the channel weights of a class activation map are computed from the target layer's gradients.</summary>
public enum CamMethod
{
    /// <summary>Grad-CAM (Selvaraju et al. 2017): the spatial mean of the gradient.</summary>
    GradCam,
    /// <summary>Grad-CAM++ (Chattopadhay et al. 2018), in pytorch-grad-cam's closed form.</summary>
    GradCamPlusPlus,
}

/// <summary>
/// One image's class activation map: the class explained, its softmax probability and logit, the raw map
/// <c>sum_k alpha_k A^k</c> at the target layer's resolution (before the ReLU), and the map after the ReLU, min-max
/// normalised to [0, 1] and bilinearly upsampled to the input image (<c>Map[y][x]</c>).
/// </summary>
public sealed record CamResult(int Class, double Prob, double Logit, string Layer, float[][] Raw, float[][] Map);

/// <summary>
/// Grad-CAM and Grad-CAM++ for any <see cref="ResNet"/>: a forward hook keeps the target layer's output A, and
/// <c>torch.autograd.grad</c> of the chosen class logits gives dA. The target is a stage (<c>layer4</c>: the output of
/// its last block, after the block's final ReLU, torchvision's <c>layer4[-1]</c>) or one block (<c>layer4.1</c>); the
/// default is the last stage. The hook is removed and every tensor disposed before returning.
/// </summary>
public static class GradCam
{
    /// <summary>The layers a map can be computed at: every stage and every block, e.g. layer1, layer1.0, ...</summary>
    public static IReadOnlyList<string> LayerNames(ResNet model) =>
        [.. model.Stages.SelectMany((stage, i) => new[] { $"layer{i + 1}" }.Concat(stage.children().Select((_, j) => $"layer{i + 1}.{j}")))];

    /// <summary>The default target layer: the last stage.</summary>
    public static string DefaultLayer(ResNet model) => $"layer{model.Stages.Count}";

    /// <summary>
    /// Maps for a batch of preprocessed images [N, C, H, W] on the model's device, explaining <paramref name="classes"/>
    /// (one per image; null: each image's predicted class). The model is evaluated in eval mode and returned to its mode.
    /// </summary>
    public static IReadOnlyList<CamResult> Compute(ResNet model, Tensor images, IReadOnlyList<int>? classes = null,
        string? layer = null, CamMethod method = CamMethod.GradCam)
    {
        layer ??= DefaultLayer(model);
        var target = FindLayer(model, layer);
        int n = (int)images.shape[0], k = model.Config.NumClasses;
        if (model.Config.Head != HeadKind.Classifier)
            throw new ResNetSharpException("Grad-CAM explains class logits, but this model has no classifier (fc): use one with a classification head.");
        if (classes is not null && classes.Count != n)
            throw new ResNetSharpException($"{classes.Count} target classes for {n} images: give one class per image, or none for the predicted classes.");
        foreach (int c in classes ?? [])
            if (c < 0 || c >= k) throw new ResNetSharpException($"class {c} is out of range: the model has classes 0 to {k - 1}.");

        Tensor? activation = null;
        var hook = target.register_forward_hook((_, _, output) =>
        {
            activation?.Dispose();
            activation = output.alias().DetachFromDisposeScope();   // the module's caller may dispose its own handle
            return output;
        });
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var input = images.detach().requires_grad_(true);   // a graph even when the weights are frozen
            var logits = model.call(input).to(ScalarType.Float32);
            var chosen = classes is null ? logits.argmax(1) : tensor(classes.Select(c => (long)c).ToArray(), device: logits.device);
            var score = logits.gather(1, chosen.unsqueeze(1)).sum();
            var a = activation ?? throw new InvalidOperationException($"layer '{layer}' did not run in the forward pass.");
            var dA = autograd.grad([score], [a])[0];
            var weights = ChannelWeights(a.detach(), dA, method);
            var raw = (weights.unsqueeze(-1).unsqueeze(-1) * a.detach()).sum(1);
            var map = Upsample(Normalise(raw.relu()), (images.shape[2], images.shape[3]));
            var probs = logits.detach().softmax(1).gather(1, chosen.unsqueeze(1)).cpu().data<float>().ToArray();
            var logit = logits.detach().gather(1, chosen.unsqueeze(1)).cpu().data<float>().ToArray();
            var cls = chosen.cpu().data<long>().ToArray();
            var rawRows = Rows(raw);
            var mapRows = Rows(map);
            return [.. Enumerable.Range(0, n).Select(i => new CamResult((int)cls[i], probs[i], logit[i], layer, rawRows[i], mapRows[i]))];
        }
        finally
        {
            hook.remove();
            activation?.Dispose();
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// The channel weights [N, K] from the activation A and its gradient dA [N, K, h, w]: Grad-CAM's spatial mean of dA;
    /// Grad-CAM++'s <c>sum_ij relu(dA) * dA^2 / (2 dA^2 + sum_ij(A) dA^3)</c>, zero where dA is 0.
    /// </summary>
    internal static Tensor ChannelWeights(Tensor a, Tensor dA, CamMethod method)
    {
        if (method == CamMethod.GradCam) return dA.mean([2, 3]);
        using var scope = NewDisposeScope();
        var g2 = dA.pow(2);
        var g3 = g2 * dA;
        var sumA = a.sum([2, 3], keepdim: true);
        var alpha = g2 / (2 * g2 + sumA * g3 + 1e-7);
        alpha = where(dA.ne(0), alpha, zeros_like(alpha));
        return (dA.relu() * alpha).sum([2, 3]).MoveToOuterDisposeScope();
    }

    /// <summary>Each map [N, h, w] scaled to [0, 1] by its own minimum and maximum (all zeros when it is constant).</summary>
    internal static Tensor Normalise(Tensor maps)
    {
        using var scope = NewDisposeScope();
        var flat = maps.flatten(1);
        var min = flat.amin([1], keepdim: true);
        var range = flat.amax([1], keepdim: true) - min;
        var scaled = where(range.gt(0), (flat - min) / range.clamp_min(1e-12), zeros_like(flat));
        return scaled.view_as(maps).MoveToOuterDisposeScope();
    }

    private static Tensor Upsample(Tensor maps, (long H, long W) size) =>
        nn.functional.interpolate(maps.unsqueeze(1), [size.H, size.W], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);

    private static float[][][] Rows(Tensor maps)
    {
        int n = (int)maps.shape[0], h = (int)maps.shape[1], w = (int)maps.shape[2];
        var data = maps.detach().cpu().contiguous().data<float>().ToArray();
        return [.. Enumerable.Range(0, n).Select(i => Enumerable.Range(0, h).Select(y => data.AsSpan((i * h + y) * w, w).ToArray()).ToArray())];
    }

    /// <summary>Throws a clear error listing the valid names when the model has no layer <paramref name="layer"/>.</summary>
    public static void CheckLayer(ResNet model, string layer)
    {
        var names = LayerNames(model);
        if (!names.Contains(layer))
            throw new ResNetSharpException($"the model has no layer '{layer}': use one of {string.Join(", ", names)}.");
    }

    private static nn.Module<Tensor, Tensor> FindLayer(ResNet model, string layer)
    {
        CheckLayer(model, layer);
        return (nn.Module<Tensor, Tensor>)model.named_modules().First(m => m.name == layer).module;
    }
}
