using ResNetSharp.Interop;
using ResNetSharp.Models;
using static TorchSharp.torch;

namespace ResNetSharp.TransferLearning;

/// <summary>
/// Fine-tuning a pretrained ResNet on a new task: build the model with the new class count, load the pretrained
/// weights except the classifier with <see cref="LoadBackbone"/>, freeze part of it with <see cref="Freeze"/>, and
/// after every <c>model.train()</c> call <see cref="ApplyFrozenBatchNormEval"/> so frozen BatchNorm layers keep
/// their running statistics.
/// </summary>
public static class Transfer
{
    /// <summary>
    /// Loads pretrained weights into a model whose classifier may differ (another class count): <c>fc.*</c> keys of
    /// another shape, or missing on either side, are skipped as intended; any other difference throws one error listing it.
    /// </summary>
    public static WeightLoadReport LoadBackbone(ResNet model, IReadOnlyDictionary<string, Tensor> weights)
    {
        var report = WeightLoading.LoadInto(model, weights, strict: false);
        static bool Head(string key) => key.StartsWith("fc.");
        var problems = new WeightLoadReport(report.Loaded, report.Missing.Where(k => !Head(k)).ToList(),
            report.Unexpected.Where(k => !Head(k)).ToList(), report.Mismatched.Where(m => !Head(m.Key)).ToList());
        if (!problems.IsExact)
            throw new ResNetSharpException($"the pretrained weights do not fit the model's backbone ({problems.Describe()}): check that TrainOptions.Model names the architecture the weights were trained for.");
        return report;
    }

    /// <summary><see cref="LoadBackbone"/> from a .safetensors / .pth / .pt file.</summary>
    public static WeightLoadReport LoadBackboneFile(ResNet model, string path)
    {
        using var file = WeightLoading.ReadFile(path);
        return LoadBackbone(model, file.Tensors);
    }

    /// <summary>Sets <c>requires_grad = false</c> on the frozen parameters (and true on the others); returns how many parameters are frozen.</summary>
    public static int Freeze(ResNet model, FreezeSpec spec)
    {
        if (spec.UntilLayer > model.Stages.Count)
            throw new ResNetSharpException($"cannot freeze {spec}: the model has {model.Stages.Count} stages (until:layer1..until:layer{model.Stages.Count}).");
        int frozen = 0;
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool freeze = spec.Freezes(name);
            parameter.requires_grad = !freeze;
            if (freeze) frozen++;
        }
        return frozen;
    }

    /// <summary>
    /// Puts the BatchNorm layers of the frozen part in eval mode, so training neither uses batch statistics there nor
    /// updates their running mean and variance. Call it after every <c>model.train()</c> (which sets all layers to train mode).
    /// </summary>
    public static void ApplyFrozenBatchNormEval(ResNet model, FreezeSpec spec)
    {
        foreach (var (name, module) in model.named_modules())
            if (module is TorchSharp.Modules.BatchNorm2d && spec.Freezes(name + ".")) module.eval();
    }
}
