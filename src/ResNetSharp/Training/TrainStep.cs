using ResNetSharp.Runtime.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// One optimisation step, reusable outside the <see cref="Trainer"/> (benchmarks): set the scheduled learning rate,
/// forward (through the optional <see cref="InputTransform"/>), cross-entropy loss with optional label smoothing
/// (for a mixed batch, the two labels' losses weighed by their shares), backward, optional global gradient-norm clipping, optimizer step, and device-side metric accumulation. Nothing in
/// a step reads a value back to the host, so a GPU is never stalled; every temporary is freed by a dispose scope.
/// </summary>
public sealed class TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, LrSchedule? schedule = null,
    double labelSmoothing = 0, double? clipGradNorm = null) : IDisposable
{
    private readonly Parameter[] _parameters = [.. optimizer.parameters()];

    /// <summary>Applied to the images before the forward pass (e.g. a dtype or memory-format conversion); null: none.</summary>
    public Func<Tensor, Tensor>? InputTransform { get; set; }

    /// <summary>Runs the forward pass and loss (e.g. under autocast); null: <c>Forward</c> directly.</summary>
    public Func<Func<Tensor>, Tensor>? ForwardWrapper { get; set; }

    /// <summary>Runs before the forward pass (data-parallel training: batch-norm buffers follow rank 0); null: nothing.</summary>
    public Action? BeforeForward { get; set; }

    /// <summary>Runs after the backward pass, before clipping and the optimizer step (data-parallel training: gradients are averaged over the ranks); null: nothing.</summary>
    public Action? AfterBackward { get; set; }

    /// <summary>Global optimizer step count: the next step uses <c>schedule.At(Step)</c>.</summary>
    public long Step { get; set; }

    /// <summary>The learning rate the last step used (or the first step will use).</summary>
    public double LearningRate => schedule?.At(Math.Max(0, Step - 1)) ?? optimizer.ParamGroups.First().LearningRate;

    /// <summary>Loss and accuracy of the steps since the last <see cref="RunningMetrics.Restore"/>.</summary>
    public RunningMetrics Metrics { get; } = new(model.parameters().First().device);

    /// <summary>Trains on one loader batch, mixed (mixup, CutMix) or not. The model must be in training mode.</summary>
    public void Run(Data.Batch batch) => Run(batch.Images, batch.Labels, batch.MixedLabels, batch.MixWeight);

    /// <summary>
    /// Trains on one batch. With <paramref name="mixedLabels"/>, each image is a mix holding <paramref name="mixWeight"/>
    /// of <paramref name="labels"/>' image and the rest of <paramref name="mixedLabels"/>': the loss is the weighted sum of
    /// the two cross-entropies (the soft-target loss timm's Mixup gives), and accuracy counts the larger share's label.
    /// The model must be in training mode.
    /// </summary>
    public void Run(Tensor images, Tensor labels, Tensor? mixedLabels = null, double mixWeight = 1)
    {
        using var scope = NewDisposeScope();
        if (schedule is not null) ParameterGroups.SetLearningRate(optimizer, schedule.At(Step));
        optimizer.zero_grad();
        var input = InputTransform?.Invoke(images) ?? images;
        Tensor logits = null!;
        Tensor Forward()
        {
            logits = model.forward(input);
            var fp32 = logits.to(ScalarType.Float32);
            var loss = nn.functional.cross_entropy(fp32, labels, label_smoothing: labelSmoothing);
            if (mixedLabels is null) return loss;
            var mixedLoss = nn.functional.cross_entropy(fp32, mixedLabels, label_smoothing: labelSmoothing);
            return loss.mul(mixWeight).add(mixedLoss.mul(1 - mixWeight));
        }
        BeforeForward?.Invoke();
        Tensor loss;
        using (FusedBatchNorm.DeferSkipGradients())   // the backward pass is the whole graph's
        {
            loss = ForwardWrapper?.Invoke(Forward) ?? Forward();
            loss.backward();
        }
        AfterBackward?.Invoke();
        if (clipGradNorm is { } maxNorm) ClipGradNorm(maxNorm);
        optimizer.step();
        Metrics.Add(loss, logits, mixedLabels is not null && mixWeight < 0.5 ? mixedLabels : labels);
        Step++;
    }

    private static readonly Lazy<jit.CompilationUnit> ClipScript = new(() => jit.compile("""
        def clip(grads: List[Tensor], max_norm: float):
            total = torch.stack(torch._foreach_norm(grads, 2.0)).norm()
            torch._foreach_mul_(grads, torch.clamp((total + 1e-6).reciprocal() * max_norm, max=1.0))

        """));

    /// <summary>
    /// Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/>, as PyTorch's clip_grad_norm_
    /// does (multi-tensor norms and scaling, on the device, no sync).
    /// </summary>
    private void ClipGradNorm(double maxNorm)
    {
        var grads = _parameters.Select(p => p.grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return;
        using var _ = no_grad();
        ClipScript.Value.invoke("clip", grads, maxNorm);
    }

    /// <inheritdoc/>
    public void Dispose() => Metrics.Dispose();
}
