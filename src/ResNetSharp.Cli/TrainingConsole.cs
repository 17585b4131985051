using ResNetSharp.Reports;
using ResNetSharp.Runs;
using ResNetSharp.Training;
using Spectre.Console;

namespace ResNetSharp.Cli;

/// <summary>
/// Runs a <see cref="Trainer"/> from the CLI: a live Spectre.Console progress bar per epoch (ETA, loss, accuracy,
/// img/s) on a terminal, plain lines when output is redirected, curves.png after every epoch; Ctrl-C finishes the
/// current step, saves and exits.
/// </summary>
internal static class TrainingConsole
{
    /// <summary>Runs the trainer; <paramref name="plain"/> (data-parallel ranks, whose output the launcher collects) never draws a live bar.</summary>
    public static int Run(Trainer trainer, TextWriter output, bool plain = false)
    {
        using var cancel = new CancellationTokenSource();
        bool live = !plain && !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        Action<string> print = live ? AnsiConsole.WriteLine : output.WriteLine;   // Spectre prints above its live bar
        void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            if (cancel.IsCancellationRequested) return;   // a second Ctrl-C ends the process at once
            e.Cancel = true;
            cancel.Cancel();
            print("stopping after this step and saving the state (press Ctrl-C again to abort without saving)...");
        }
        CurvesPlot.DrawEachEpoch(trainer);
        trainer.EpochEnd += m => print(
            $"epoch {m.Epoch,3}  lr {m.Lr:G3}  train loss {m.TrainLoss:F4} acc {m.TrainAcc:P2}  val loss {m.ValLoss:F4} top-1 {m.ValTop1:P2} top-5 {m.ValTop5:P2}  {m.Seconds:F1}s {m.ImagesPerS:F0} img/s");
        Console.CancelKeyPress += OnCancel;
        try
        {
            var result = live ? WithProgressBar(trainer, cancel.Token) : trainer.Run(cancel.Token);
            Summarise(result, output);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= OnCancel;
        }
    }

    private static TrainResult WithProgressBar(Trainer trainer, CancellationToken cancel)
    {
        TrainResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask? task = null;
                int epoch = 0;
                trainer.Progress += p =>
                {
                    if (p.Epoch != epoch)
                    {
                        task?.StopTask();
                        epoch = p.Epoch;
                        task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs}", maxValue: p.Steps);
                    }
                    task!.Value = p.Step;
                    task.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F3}  acc {p.Accuracy:P1}  {p.ImagesPerS:F0} img/s  ETA {p.Eta:mm\\:ss}";
                };
                result = trainer.Run(cancel);
            });
        return result!;
    }

    private static void Summarise(TrainResult r, TextWriter output)
    {
        if (!r.IsMain) return;   // data-parallel: rank 0 prints
        if (r.Distributed is var (world, backend, comm))
            output.WriteLine($"data-parallel on {world} ranks ({backend}): rank 0 spent {comm:F1} s in communication ({comm / Math.Max(r.History.Sum(m => m.Seconds), 1e-9):P1} of its training time)");
        if (r.Interrupted)
        {
            output.WriteLine($"interrupted; the state is saved. Continue with: resnet train --resume {r.OutDir}");
            return;
        }
        if (r.StoppedEarly) output.WriteLine($"stopped early: no better validation top-1 for the last epochs.");
        output.WriteLine($"best validation top-1 accuracy: {r.BestValTop1:P2} (epoch {r.BestEpoch})");
        output.WriteLine($"checkpoint: {r.BestCheckpoint}");
        output.WriteLine($"curves:     {r.Curves}");
        output.WriteLine($"metrics:    {Path.Combine(r.OutDir, RunFiles.MetricsCsv)} (TensorBoard: tensorboard --logdir {r.OutDir})");
    }
}
