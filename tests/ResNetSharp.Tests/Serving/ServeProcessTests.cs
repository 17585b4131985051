using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ResNetSharp.Tests.Serving;

// resnet serve as its own process on a loopback port, with a real HTTP client.
public class ServeProcessTests(ServingModel model) : IClassFixture<ServingModel>
{
    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    // 12 requests wait in a forming batch (--max-delay-ms 1500) when SIGTERM arrives: every one is answered 200,
    // with its own image's classes, and the server exits 0.
    [Fact]
    public async Task Sigterm_during_load_answers_every_accepted_request_and_exits_0()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "resnet.dll"), "serve", "--model", "small_resnet", "--weights", model.Weights,
            "--labels", model.Labels, "--port", "0", "--device", "cpu", "--max-batch", "64", "--max-delay-ms", "1500", "--topk", "1" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) ?? "";
            Assert.Matches(@"^listening on http://127\.0\.0\.1:\d+ \(model small_resnet, engine onnxruntime, device cpu\)$", line);
            using var client = new HttpClient { BaseAddress = new Uri(line.Split(' ')[2]) };
            Assert.Equal(200, (int)(await client.GetAsync("/v2/health/ready")).StatusCode);
            string[] images = [model.Square, model.Wide];
            var requests = Enumerable.Range(0, 12).Select(i =>
            {
                var content = new ByteArrayContent(File.ReadAllBytes(images[i % 2]));
                content.Headers.ContentType = new("image/png");
                return client.PostAsync("/v1/models/small_resnet/classify", content);
            }).ToArray();
            await Task.Delay(500);
            Assert.DoesNotContain(requests, r => r.IsCompleted);   // all still waiting for the batch
            Assert.Equal(0, kill(process.Id, SigTerm));
            var responses = await Task.WhenAll(requests);
            Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
            var top = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions")[0].GetProperty("top")[0].GetProperty("index").GetInt32()));
            Assert.Equal(12, top.Length);
            Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(top[i % 2], top[i]));
            Assert.True(process.WaitForExit(30_000), "the server did not exit");
            Assert.True(process.ExitCode == 0, await stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }
}
