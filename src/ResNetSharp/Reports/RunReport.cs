using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Evaluation;
using ResNetSharp.Explain;
using ResNetSharp.IO;
using ResNetSharp.Runs;
using ResNetSharp.Training;
using ScottPlot;
using static TorchSharp.torch;

namespace ResNetSharp.Reports;

/// <summary>
/// report.html for a run directory: one self-contained file (images inline as data: URLs, no script, a content
/// security policy that forbids every request) with the run's settings and the command that reproduces it; loss,
/// accuracy and learning-rate curves; the best checkpoint's top-1, top-5, per-class precision, recall, F1 and support
/// on the validation split (<see cref="Evaluator"/>, as <c>resnet eval</c>); the confusion matrix raw and
/// row-normalised; the most-confused pairs; the highest-loss validation images with their Grad-CAM overlays; and the
/// LR-finder plot when the run has one.
/// </summary>
public static class RunReport
{
    /// <summary>The report's default file name in a run directory.</summary>
    public const string FileName = "report.html";
    private const int Gallery = 12;

    /// <summary>Writes the report (default: report.html in the run directory) and returns its path. <paramref name="dataSpec"/> overrides the run's data.</summary>
    public static string Write(string runDir, string? dataSpec = null, string? outPath = null)
    {
        if (!Directory.Exists(runDir)) throw new ResNetSharpException($"run directory '{runDir}' does not exist: give a run directory written by 'resnet train' (its TrainOptions.OutDir).");
        using var run = new RunFiles(runDir);
        if (!File.Exists(run[RunFiles.MetricsJsonl]))
            throw new ResNetSharpException($"'{runDir}' has no {RunFiles.MetricsJsonl}: give a run directory written by 'resnet train' after at least one epoch.");
        if (!File.Exists(run[RunFiles.Best]) || !File.Exists(run[RunFiles.Config]))
            throw new ResNetSharpException($"'{runDir}' has no {RunFiles.Best} or {RunFiles.Config}: give a complete run directory written by 'resnet train'.");
        var history = File.ReadAllLines(run[RunFiles.MetricsJsonl]).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<EpochMetrics>(l, Checkpoint.Json)!).ToList();
        using var config = JsonDocument.Parse(File.ReadAllText(run[RunFiles.Config]));
        var optionsJson = config.RootElement.GetProperty("options");
        var options = optionsJson.Deserialize<TrainOptions>(Checkpoint.Json)!;
        string spec = dataSpec ?? options.Data;

        var (model, info) = Checkpoint.Load(run[RunFiles.Best]);
        using var _ = model;
        using var source = DataSpec.Open(spec, false, options.ImageSize);
        if (!source.Classes.SequenceEqual(info.Classes))
            throw new ResNetSharpException($"the run was trained on {info.Classes.Count} classes but '{spec}' has {source.Classes.Count}: report on the run's own data.");
        using var val = source.CreateLoader(Split.Val, 256, CPU, 0, Augmentation.None);
        var eval = Evaluator.Run(model, val, source.Classes);
        var files = DataSpec.Resizable(spec) ? ImageFolder.List(spec.Split(':', 2)[1], Split.Val).Files : null;

        var html = new StringBuilder();
        Head(html, $"ResNetSharp report: {Path.GetFileName(Path.GetFullPath(runDir))}");
        var best = history.MaxBy(m => m.ValTop1)!;
        html.Append($"<h1>Run {E(Path.GetFullPath(runDir))}</h1><p>{E(options.Model)} on {E(source.Name)} ({source.Classes.Count} classes), {history.Count} epochs. ");
        html.Append($"Best validation top-1 <b id=\"best-top1\">{P(best.ValTop1)}</b> at epoch {best.Epoch}.</p>");

        html.Append("<h2>Settings</h2><p>Reproduce with:</p><pre id=\"command\">").Append(E(TrainCommandLine.For(options))).Append("</pre><table>");
        foreach (var p in optionsJson.EnumerateObject()) html.Append($"<tr><th>{E(p.Name)}</th><td>{E(p.Value.ToString())}</td></tr>");
        html.Append("</table>");

        html.Append("<h2>Curves</h2>");
        if (File.Exists(run[RunFiles.Curves])) Image(html, File.ReadAllBytes(run[RunFiles.Curves]), "loss and accuracy curves");
        Image(html, LrCurve(history), "learning rate per epoch");
        html.Append("<table><tr><th>epoch</th><th>lr</th><th>train loss</th><th>train acc</th><th>val loss</th><th>val top-1</th><th>val top-5</th></tr>");
        foreach (var m in history)
            html.Append($"<tr><td>{m.Epoch}</td><td>{m.Lr:G4}</td><td>{m.TrainLoss:F4}</td><td>{P(m.TrainAcc)}</td><td>{m.ValLoss:F4}</td><td>{P(m.ValTop1)}</td><td>{P(m.ValTop5)}</td></tr>");
        html.Append("</table>");

        html.Append($"<h2>Validation: {RunFiles.Best} (epoch {info.Epoch})</h2><p>{eval.Count} images: top-1 <b id=\"eval-top1\">{P(eval.Top1)}</b>, top-5 <b id=\"eval-top5\">{P(eval.Top5)}</b>, loss {eval.Loss:F4}.</p>");
        html.Append("<table id=\"per-class\"><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>");
        foreach (var s in ErrorAnalysis.PerClass(eval))
            html.Append($"<tr><td>{E(s.Class)}</td><td>{s.Precision:F4}</td><td>{s.Recall:F4}</td><td>{s.F1:F4}</td><td>{s.Support}</td></tr>");
        html.Append("</table>");
        Confusion(html, eval, normalised: false);
        Confusion(html, eval, normalised: true);
        html.Append("<h3>Most confused (true → predicted)</h3><table id=\"confused\"><tr><th>true</th><th>predicted</th><th>count</th></tr>");
        foreach (var c in ErrorAnalysis.MostConfused(eval))
            html.Append($"<tr><td>{E(c.True)}</td><td>{E(c.Predicted)}</td><td>{c.Count}</td></tr>");
        html.Append("</table>");

        html.Append("<h2>Highest-loss validation images</h2><p>Grad-CAM at the last stage, for the predicted class.</p><div class=\"gallery\">");
        var hard = ErrorAnalysis.HighestLoss(model, val, Gallery);
        try
        {
            if (hard.Count > 0)
            {
                using var images = stack([.. hard.Select(h => h.Image)]);
                var cams = GradCam.Compute(model, images, [.. hard.Select(h => h.Predicted)]);
                for (int i = 0; i < hard.Count; i++)
                {
                    var h = hard[i];
                    string name = files is not null ? Path.GetFileName(files[(int)h.Index]) : $"#{h.Index}";
                    html.Append("<figure>");
                    Image(html, CamOverlay.Png(h.Image, cams[i].Map, source.Mean, source.Std), $"Grad-CAM of {name}");
                    html.Append($"<figcaption>{E(name)}<br>true {E(source.Classes[h.True])}, predicted {E(source.Classes[h.Predicted])} ({P(h.Prob)})<br>loss {h.Loss:F3}</figcaption></figure>");
                }
            }
        }
        finally
        {
            foreach (var h in hard) h.Dispose();
        }
        html.Append("</div>");

        if (File.Exists(run[LrFindResult.Png]))
        {
            html.Append("<h2>Learning-rate range test</h2>");
            Image(html, File.ReadAllBytes(run[LrFindResult.Png]), "LR finder");
        }
        html.Append("</body></html>\n");
        string path = outPath ?? run[FileName];
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(html.ToString())));
        return path;
    }

    private static void Head(StringBuilder html, string title) => html.Append($$"""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
        <title>{{E(title)}}</title><style>
        body{font-family:sans-serif;margin:2em;max-width:1300px} table{border-collapse:collapse;margin:1em 0}
        td,th{border:1px solid #ccc;padding:2px 6px;text-align:right} pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}
        img{max-width:100%} .gallery{display:flex;flex-wrap:wrap;gap:1em} figure{margin:0;width:180px} figure img{width:180px;image-rendering:pixelated}
        </style></head><body>
        """);

    private static void Confusion(StringBuilder html, EvalResult r, bool normalised)
    {
        html.Append($"<h3>Confusion matrix{(normalised ? ", row-normalised" : "")} (rows: true, columns: predicted)</h3>");
        html.Append($"<table id=\"confusion-{(normalised ? "normalised" : "raw")}\"><tr><th></th>");
        foreach (var c in r.Classes) html.Append($"<th>{E(c)}</th>");
        html.Append("</tr>");
        for (int t = 0; t < r.Classes.Count; t++)
        {
            long total = r.Confusion[t].Sum();
            html.Append($"<tr><th>{E(r.Classes[t])}</th>");
            foreach (long n in r.Confusion[t])
                html.Append("<td>").Append(normalised ? (total == 0 ? "–" : ((double)n / total).ToString("F3", CultureInfo.InvariantCulture)) : n.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    private static byte[] LrCurve(IReadOnlyList<EpochMetrics> history)
    {
        var plot = new Plot();
        var s = plot.Add.Scatter(history.Select(m => (double)m.Epoch).ToArray(), history.Select(m => m.Lr).ToArray());
        s.LegendText = "lr (last step of the epoch)";
        plot.Title("Learning rate");
        plot.XLabel("epoch");
        plot.ShowLegend();
        return plot.GetImageBytes(700, 350, ImageFormat.Png);
    }

    private static void Image(StringBuilder html, byte[] png, string alt) =>
        html.Append($"<img alt=\"{E(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">");

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string P(double fraction) => fraction.ToString("P2", CultureInfo.InvariantCulture);
}
