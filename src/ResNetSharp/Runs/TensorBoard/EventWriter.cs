using Google.Protobuf;

namespace ResNetSharp.Runs.TensorBoard;

/// <summary>
/// Writes TensorBoard scalar summaries to <c>events.out.tfevents.&lt;unix time&gt;.&lt;host&gt;</c> in a run directory,
/// as TFRecords of <see cref="Event"/> protobufs, starting with the <c>brain.Event:2</c> file-version event.
/// Point TensorBoard at the directory: <c>tensorboard --logdir runs</c>.
/// </summary>
public sealed class EventWriter : IDisposable
{
    private readonly FileStream _stream;

    public EventWriter(string directory)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Path = System.IO.Path.Combine(directory, $"events.out.tfevents.{now}.{Environment.MachineName}");
        _stream = new FileStream(Path, FileMode.Append, FileAccess.Write);
        Write(new Event { WallTime = WallTime(), FileVersion = "brain.Event:2" });
    }

    /// <summary>The event file.</summary>
    public string Path { get; }

    /// <summary>Appends one scalar value at a step.</summary>
    public void Scalar(string tag, double value, long step) => Scalars([(tag, value)], step);

    /// <summary>Appends several scalars at one step, in one event, and flushes to disk.</summary>
    public void Scalars(IEnumerable<(string Tag, double Value)> values, long step)
    {
        var summary = new Summary();
        foreach (var (tag, value) in values) summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        Write(new Event { WallTime = WallTime(), Step = step, Summary = summary });
        _stream.Flush();
    }

    private void Write(Event e) => TfRecord.Write(_stream, e.ToByteArray());

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    public void Dispose() => _stream.Dispose();
}
