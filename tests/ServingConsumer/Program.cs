// Usage: ServingConsumer WEIGHTS LABELS. Serves small_resnet on a free loopback port and prints its URL when ready.
using ResNetSharp.Serving;

var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddResNetClassifier(o =>
{
    (o.Model, o.Weights, o.Labels, o.Device, o.Name) = ("small_resnet", args[0], args[1], "cpu", "shapes");
});
var app = builder.Build();
app.Urls.Add("http://127.0.0.1:0");
app.MapGet("/hello", () => "the app's own endpoint");
app.MapResNetClassifier();
await app.StartAsync();
await app.Services.GetRequiredService<ResNetClassifier>().WhenReady;
Console.WriteLine(app.Urls.First());
await app.WaitForShutdownAsync();
