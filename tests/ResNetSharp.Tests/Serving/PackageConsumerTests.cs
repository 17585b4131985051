using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace ResNetSharp.Tests.Serving;

// The packages as users get them: ResNetSharp and ResNetSharp.Serving packed into a folder feed, restored by a fresh
// web app (tests/ServingConsumer, copied outside the repository) that mounts the endpoints next to its own.
public class PackageConsumerTests(ServingModel model) : IClassFixture<ServingModel>
{
    private static readonly string Repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    [Fact]
    public async Task A_fresh_web_app_restores_the_packages_from_a_folder_feed_and_serves()
    {
        using var temp = new TempDir();
        // A version of its own, so NuGet's global cache never serves an earlier test's package.
        string version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}", feed = temp.Combine("feed"), app = temp.Combine("app");
        try
        {
            foreach (var project in new[] { "src/ResNetSharp/ResNetSharp.csproj", "src/ResNetSharp.Serving/ResNetSharp.Serving.csproj" })
                Dotnet(Repo, "pack", Path.Combine(Repo, project), "-c", "Release", "--no-build", "-o", feed, $"-p:PackageVersion={version}");
            var nuspec = Unzip(Directory.GetFiles(feed, "ResNetSharp.Serving.*.nupkg").Single(f => !f.EndsWith(".snupkg")));
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("<repository type=\"git\"", nuspec);
            Assert.Single(Directory.GetFiles(feed, "ResNetSharp.Serving.*.snupkg"));

            Directory.CreateDirectory(app);
            foreach (var file in new[] { "ServingConsumer.csproj", "Program.cs" })
                File.Copy(Path.Combine(Repo, "tests/ServingConsumer", file), Path.Combine(app, file));
            File.WriteAllText(Path.Combine(app, "nuget.config"),
                $"<configuration><packageSources><add key=\"feed\" value=\"{feed}\" /></packageSources></configuration>");
            Dotnet(app, "build", "-c", "Release", $"-p:ResNetSharpVersion={version}", "-o", temp.Combine("out"));

            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { temp.Combine("out", "ServingConsumer.dll"), model.Weights, model.Labels }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            try
            {
                var url = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                using var client = new HttpClient { BaseAddress = new Uri(url!) };
                Assert.Equal("the app's own endpoint", await client.GetStringAsync("/hello"));
                var content = new ByteArrayContent(File.ReadAllBytes(model.Square));
                content.Headers.ContentType = new("image/png");
                var body = await (await client.PostAsync("/v1/models/shapes/classify", content)).Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("shapes", body.GetProperty("model").GetString());
                using var predictor = ResNetSharp.Inference.Predictor.FromWeights("small_resnet", model.Weights, labelsPath: model.Labels);
                ClassifyTests.AssertSame(predictor.Predict(model.Square, 5), body.GetProperty("predictions")[0].GetProperty("top"));
            }
            finally
            {
                process.Kill();
            }
        }
        finally
        {
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "resnetsharp", "resnetsharp.serving" })
                if (Directory.Exists(Path.Combine(cache, id, version))) Directory.Delete(Path.Combine(cache, id, version), recursive: true);
        }
    }

    private static void Dotnet(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)}:\n{output.Result}\n{error.Result}");
    }

    private static string Unzip(string nupkg)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(nupkg);
        using var reader = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
        return reader.ReadToEnd();
    }
}
