using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ResNetSharp.Serving;

namespace ResNetSharp.Tests.Serving;

// Each limit answers with its status and {"error"}, counted in resnetsharp_failures_total{reason}.
public class LimitTests(ServingModel model) : IClassFixture<ServingModel>
{
    private const string Classify = "/v1/models/small_resnet/classify", Metadata = "/v2/models/small_resnet";

    // One request per 2 s per key: each key's second request is 429 with Retry-After; the other key and health are untouched.
    [Fact]
    public async Task Over_the_rate_limit_is_429_with_retry_after_per_key()
    {
        using var temp = new TempDir();
        var options = AuthTests.WithKeys(model.Options(), temp, "alpha-key", "beta-key");
        options.RateLimit = 0.5;
        await using var server = await InProcessServer.StartAsync(options);
        Assert.Equal(200, (int)(await AuthTests.Send(server, HttpMethod.Get, Metadata, "alpha-key")).StatusCode);
        var limited = await AuthTests.Send(server, HttpMethod.Get, Metadata, "alpha-key");
        await InProcessServer.AssertErrorAsync(limited, 429, "over the rate limit of 0.5 requests per second for this client: retry after the Retry-After seconds, or start the server with a larger --rate-limit");
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 2);
        Assert.Equal(200, (int)(await AuthTests.Send(server, HttpMethod.Get, Metadata, "beta-key")).StatusCode);
        Assert.Equal(200, (int)(await server.Client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(1, await server.MetricTotalAsync("resnetsharp_failures_total", "reason=\"rate_limited\""));
    }

    // 20,000 x 20,000 pixels in 100 bytes: 413 from the header, the 1.6 GB bitmap never allocated.
    [Fact]
    public async Task A_pixel_bomb_is_413_before_any_pixel_is_allocated()
    {
        await using var server = await InProcessServer.StartAsync(model.Options());
        var bomb = PixelBomb.Png(20_000, 20_000);
        Assert.True(bomb.Length < 200);
        using var process = Process.GetCurrentProcess();
        long before = process.PeakWorkingSet64;
        for (int i = 0; i < 4; i++)
            await InProcessServer.AssertErrorAsync(await server.PostAsync(Classify, bomb), 413,
                "image 'the request body' is 20000x20000 = 400 M pixels, over the server's limit of 40 M: resize it before sending, or start the server with a larger --max-pixels");
        process.Refresh();
        Assert.True(process.PeakWorkingSet64 - before < 256L << 20, $"peak RSS grew by {(process.PeakWorkingSet64 - before) >> 20} MiB");
        Assert.Equal(4, await server.MetricAsync("resnetsharp_failures_total{reason=\"too_many_pixels\",model=\"small_resnet\"}"));
        Assert.Equal(200, (int)(await server.PostAsync(Classify, File.ReadAllBytes(model.Square))).StatusCode);
    }

    // Other requests hold the whole decoding budget: an image is 503 with Retry-After until they give it back.
    [Fact]
    public async Task A_full_decoding_budget_is_503_with_retry_after()
    {
        var options = model.Options();
        (options.MaxPixels, options.MaxDecodingMb) = (1_000_000, 4);
        await using var server = await InProcessServer.StartAsync(options);
        var classifier = server.Services.GetRequiredService<ResNetClassifier>();
        using (var held = classifier.DecodeBudget.AttemptAcquire(4 * 1024))
        {
            Assert.True(held.IsAcquired);
            var busy = await server.PostAsync(Classify, File.ReadAllBytes(model.Square));
            await InProcessServer.AssertErrorAsync(busy, 503, "other requests' images fill the decoding budget of 4 MiB: retry after the Retry-After seconds, or start the server with a larger --max-decoding-mb");
            Assert.Equal("1", busy.Headers.GetValues("Retry-After").Single());
        }
        Assert.Equal(200, (int)(await server.PostAsync(Classify, File.ReadAllBytes(model.Square))).StatusCode);
        Assert.Equal(4 * 1024, classifier.DecodeBudget.GetStatistics()!.CurrentAvailablePermits);   // every lease given back
    }

    // A slow-loris client sends half its headers and waits: Kestrel cuts it off after the header timeout, and serves others meanwhile.
    [Fact]
    public async Task A_slow_loris_connection_is_cut_off()
    {
        var options = model.Options();
        options.HeaderTimeoutS = 1;
        await using var server = await KestrelServer.StartAsync(options);
        using var loris = new TcpClient();
        await loris.ConnectAsync(server.Address.Host, server.Address.Port);
        var stream = loris.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {Classify} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
        var clock = Stopwatch.StartNew();
        using var client = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(200, (int)(await client.GetAsync("/v2/health/ready")).StatusCode);
        var answer = new byte[4096];
        int read, total = 0;
        while ((read = await stream.ReadAsync(answer.AsMemory(total)).AsTask().WaitAsync(TimeSpan.FromSeconds(10))) > 0) total += read;
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 5);
        Assert.True(total == 0 || Encoding.ASCII.GetString(answer, 0, total).StartsWith("HTTP/1.1 408"), Encoding.ASCII.GetString(answer, 0, total));
    }

    // --max-connections 1: while one connection is open a second is refused; once it closes, the next is served.
    [Fact]
    public async Task Connections_beyond_max_connections_are_refused()
    {
        var options = model.Options();
        options.MaxConnections = 1;
        await using var server = await KestrelServer.StartAsync(options);
        var first = new TcpClient();
        await first.ConnectAsync(server.Address.Host, server.Address.Port);
        await Task.Delay(200);   // accepted and counted
        using (var refused = new HttpClient { BaseAddress = server.Address })
            await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync("/v2/health/ready"));
        first.Dispose();
        using var client = new HttpClient { BaseAddress = server.Address };
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                Assert.Equal(200, (int)(await client.GetAsync("/v2/health/ready")).StatusCode);
                break;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);   // the closed connection is released asynchronously
            }
        }
    }

    // --min-body-rate 1000: a body trickled at 2 bytes/s is cut off after the 5 s grace, long before it would end.
    [Fact]
    public async Task A_body_slower_than_min_body_rate_is_cut_off()
    {
        var options = model.Options();
        options.MinBodyRate = 1000;
        await using var server = await KestrelServer.StartAsync(options);
        using var slow = new TcpClient();
        await slow.ConnectAsync(server.Address.Host, server.Address.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {Classify} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n"));
        var clock = Stopwatch.StartNew();
        var answer = new byte[4096];
        var reading = stream.ReadAsync(answer).AsTask();
        while (!reading.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                await stream.WriteAsync("ab"u8.ToArray());
            }
            catch (IOException)
            {
                break;   // the server closed the connection
            }
            await Task.WhenAny(reading, Task.Delay(1000));
        }
        int read = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(clock.Elapsed.TotalSeconds, 4, 15);
        Assert.True(read == 0 || Encoding.ASCII.GetString(answer, 0, read).StartsWith("HTTP/1.1 408"), Encoding.ASCII.GetString(answer, 0, read));
    }

    [Fact]
    public void Limits_are_validated_with_one_line_each()
    {
        var options = model.Options();
        options.MaxDecodingMb = 100;
        Assert.Equal("--max-decoding-mb 100 cannot hold one image of --max-pixels 40000000 (4 bytes a pixel): raise it to at least 153.", Assert.Throws<ResNetSharpException>(options.Validate).Message);
        (options.MaxPixels, options.RateLimit) = (1000, -1);   // now fits
        Assert.Equal("--rate-limit must be 0 (no limit) or more requests per second, not -1.", Assert.Throws<ResNetSharpException>(options.Validate).Message);
    }
}
