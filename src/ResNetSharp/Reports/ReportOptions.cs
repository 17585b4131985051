using ResNetSharp.Settings;

namespace ResNetSharp.Reports;

/// <summary>The settings of <see cref="RunReport.Write"/> besides the run directory (the flags of <c>resnet report</c>).</summary>
public sealed record ReportOptions
{
    /// <summary>A data spec evaluated instead of the run's own (same classes); null: the run's.</summary>
    [Setting("data", "Evaluate on this dataset instead of the run's own (same classes).")]
    public string? Data { get; init; }

    /// <summary>The HTML file to write; null: <see cref="RunReport.FileName"/> in the run directory.</summary>
    [Setting("out", "The HTML file to write (default RUN_DIR/report.html).")]
    public string? Out { get; init; }
}
