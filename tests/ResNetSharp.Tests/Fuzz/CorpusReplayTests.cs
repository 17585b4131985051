using System.Diagnostics;
using ResNetSharp.Fuzz;

namespace ResNetSharp.Tests.Fuzz;

/// <summary>
/// Replays the committed fuzz corpus (fuzz/corpus/&lt;target&gt;/) through the AFL harness's own targets, without AFL:
/// seeds (seed-*) must parse, inputs that once crashed a parser (crash-*) and hostile inputs written to be refused
/// (reject-*: an archive member or link leaving its folder) must be rejected with the project's error, and no input (hang-*: a valid one that once hung a parser) may throw anything else or take more than the harness's 10 s hang bound.
/// </summary>
public sealed class CorpusReplayTests : IDisposable
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(10);

    private readonly TempDir _scratch = new();
    private readonly FuzzTargets _targets;

    public CorpusReplayTests() => _targets = new FuzzTargets(_scratch.Path);

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var dir in Directory.GetDirectories(Corpus).Order(StringComparer.Ordinal))
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                data.Add(Path.GetFileName(dir), Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_is_parsed_or_rejected_with_the_projects_error_in_bounded_time(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(Corpus, target, file));
        var clock = Stopwatch.StartNew();
        var rejection = _targets.Run(target, input); // any exception but the project's own escapes and fails the test
        clock.Stop();

        Assert.True(clock.Elapsed < HangBound, $"{target}/{file} took {clock.Elapsed.TotalSeconds:0.0} s");
        if (file.StartsWith("seed-", StringComparison.Ordinal)) Assert.Null(rejection);
        else if (file.StartsWith("crash-", StringComparison.Ordinal) || file.StartsWith("reject-", StringComparison.Ordinal)) Assert.NotNull(rejection);
    }

    [Fact]
    public void Every_target_has_a_corpus_with_seeds_and_every_corpus_folder_is_a_target()
    {
        var folders = Directory.GetDirectories(Corpus).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(FuzzTargets.Names.Order(StringComparer.Ordinal), folders);
        Assert.All(FuzzTargets.Names, t => Assert.Contains(Directory.GetFiles(Path.Combine(Corpus, t)), f => Path.GetFileName(f).StartsWith("seed-", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_target_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => _targets.Run("gif", [1, 2, 3]));
        Assert.Contains("safetensors", e.Message);
    }

    public void Dispose()
    {
        _targets.Dispose();
        _scratch.Dispose();
    }
}
