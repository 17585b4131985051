using System.Text.Json;
using System.Text.RegularExpressions;

namespace ResNetSharp.Tests.Serving;

// No container runtime here: what deploy/ runs is checked instead. The image's command line and the KServe
// predictor's arguments are valid resnet serve flags, and the health check and probe paths answer 200 when ready.
public partial class DeployTests(ServingModel model) : IClassFixture<ServingModel>
{
    private static readonly string Deploy = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../deploy"));

    [Fact]
    public async Task The_images_command_and_the_kserve_arguments_are_valid_and_its_probes_answer()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        string[] entrypoint = JsonSerializer.Deserialize<string[]>(Instruction().Match(dockerfile).Groups[1].Value)!;
        Assert.Equal(["dotnet", "/app/resnet.dll", "serve"], entrypoint[..3]);
        string[] cmd = JsonSerializer.Deserialize<string[]>(Cmd().Match(dockerfile).Groups[1].Value)!;
        var yaml = File.ReadAllText(Path.Combine(Deploy, "kserve", "inferenceservice.yaml"));
        string[] kserve = JsonSerializer.Deserialize<string[]>(Args().Match(yaml).Groups[1].Value)!;
        foreach (var args in new[] { entrypoint[2..].Concat(cmd), entrypoint[2..].Concat(kserve) })
        {
            var parsed = Program.Root().Parse([.. args]);
            Assert.Empty(parsed.Errors);
            Assert.Equal("serve", parsed.CommandResult.Command.Name);
        }

        await using var server = await InProcessServer.StartAsync(model.Options());
        var health = Regex.Match(dockerfile, @"HEALTHCHECK .*""http://127\.0\.0\.1:8080(/[^""]+)""").Groups[1].Value;
        string[] probes = [health, .. Regex.Matches(yaml, @"path: (/v2/\S+)").Select(m => m.Groups[1].Value)];
        Assert.Equal(["/v2/health/ready", "/v2/health/ready", "/v2/health/live"], probes);
        foreach (var path in probes) Assert.Equal(200, (int)(await server.Client.GetAsync(path)).StatusCode);
        Assert.Contains("resnetsharp_queue_depth", await server.Client.GetStringAsync("/metrics"));   // the autoscaler's metric
        Assert.Contains("resnetsharp_queue_depth", yaml);
    }

    [GeneratedRegex(@"^ENTRYPOINT (\[.*\])$", RegexOptions.Multiline)]
    private static partial Regex Instruction();

    [GeneratedRegex(@"^CMD (\[.*\])$", RegexOptions.Multiline)]
    private static partial Regex Cmd();

    [GeneratedRegex(@"^\s*args: (\[.*\])$", RegexOptions.Multiline)]
    private static partial Regex Args();
}
