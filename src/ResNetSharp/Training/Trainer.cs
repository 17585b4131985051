using ResNetSharp.Data;
using ResNetSharp.Distributed;
using ResNetSharp.Models;
using ResNetSharp.Runs;

namespace ResNetSharp.Training;

/// <summary>
/// Trains a <see cref="ResNet"/> on a <see cref="DataSource"/>: per-step scheduled SGD or AdamW (<see cref="TrainStep"/>),
/// validation loss, top-1 and top-5 after every epoch, best/last checkpoints, metrics files and TensorBoard events in
/// the run directory (<c>Reports.CurvesPlot.DrawEachEpoch</c> adds the curves plot), optional EMA, early stopping and
/// gradient clipping, exact resume, and a clean stop on cancellation (the current step finishes, then the state is saved). Without a model instance the model is
/// <see cref="TrainOptions.Model"/>; without a data source it is <see cref="TrainOptions.Data"/>.
/// Data-parallel with <see cref="TrainOptions.Distributed"/> (the group then comes from the launcher's environment) or
/// a given <paramref name="group"/>: the events are raised on rank 0 only, and a failure on one rank is an exception
/// naming it, after which the process should exit (the launcher then ends the other ranks).
/// </summary>
public sealed class Trainer(TrainOptions options, ResNet? model = null, DataSource? data = null, ProcessGroup? group = null)
{
    /// <summary>Raised after every epoch's validation.</summary>
    public event Action<EpochMetrics>? EpochEnd;

    /// <summary>Raised after every epoch's metrics files are written, with the run directory and the whole history.</summary>
    public event Action<RunHistory>? HistoryWritten;

    /// <summary>Raised after a checkpoint file is written.</summary>
    public event Action<CheckpointSaved>? CheckpointSaved;

    /// <summary>Raised every <see cref="TrainOptions.ProgressEvery"/> steps (one host-device sync each) and at the end of each epoch's training.</summary>
    public event Action<TrainProgress>? Progress;

    /// <summary>Runs (or, with <see cref="TrainOptions.Resume"/>, continues) training until the last epoch, early stopping or cancellation.</summary>
    public TrainResult Run(CancellationToken cancel = default)
    {
        using var run = TrainingRun.Prepare(options, model, data, group);
        try { return Loop(run, cancel); }
        catch (Exception e)
        {
            throw run.Group.Fail(e);
        }
    }

    private TrainResult Loop(TrainingRun run, CancellationToken cancel)
    {
        var o = run.Options;
        bool main = run.IsMain;
        run.TrainMode();
        for (int epoch = run.State.Epoch; epoch < o.Epochs; epoch++)
        {
            int e = epoch;
            var pass = run.TrainEpoch(epoch, cancel, (index, images, elapsed) => { if (main) Report(e, o.Epochs, index, run.TrainLoader.BatchesPerEpoch, run.Step.Metrics, images, elapsed); });
            if (pass.Interrupted)
            {
                Saved(run.SaveLast(epoch, pass.Steps, pass.Seconds));
                return run.Result(interrupted: true, stoppedEarly: false);
            }
            var metrics = run.Validate(epoch, pass);
            var best = run.RecordEpoch(metrics);
            if (main) HistoryWritten?.Invoke(new RunHistory(o.OutDir!, [.. run.History]));
            Saved(best);
            run.Step.Metrics.Restore(0, 0, 0);
            Saved(run.SaveLast(epoch + 1, 0, 0));
            if (main) EpochEnd?.Invoke(metrics);
            if (o.EarlyStopping is { } patience && run.State.SinceBest >= patience && epoch + 1 < o.Epochs)
                return run.Result(interrupted: false, stoppedEarly: true);
            if (epoch + 1 < o.Epochs && run.Stopping(cancel))
                return run.Result(interrupted: true, stoppedEarly: false);
        }
        return run.Result(interrupted: false, stoppedEarly: false);
    }

    private void Saved(CheckpointSaved? saved)
    {
        if (saved is not null) CheckpointSaved?.Invoke(saved);
    }

    private void Report(int epoch, int epochs, int index, int steps, RunningMetrics metrics, long images, TimeSpan elapsed)
    {
        if (Progress is null) return;
        var (loss, acc) = metrics.Read();
        Progress(new TrainProgress(epoch + 1, epochs, index, steps, loss, acc, images / Math.Max(elapsed.TotalSeconds, 1e-9), elapsed));
    }
}
