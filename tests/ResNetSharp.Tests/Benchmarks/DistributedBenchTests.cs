using System.Text.Json;
using ResNetSharp.Tests.Distributed;

namespace ResNetSharp.Tests.Benchmarks;

public class DistributedBenchTests
{
    // 2 ranks: rank 0 alone prints; each step all-reduces every parameter's fp32 gradient once (small_resnet at 10
    // classes: 43,242 parameters, 4 bytes each) and the step time splits into compute and communication.
    [Fact]
    public void Bench_distributed_reports_communication_and_bytes_per_step()
    {
        var r = MpiJob.Run(2, ["bench", "--distributed", "--model", "small_resnet", "--batch-size", "4", "--image-size", "8",
            "--steps", "3", "--warmup", "1", "--device", "cpu", "--json"]);
        Assert.True(r.Code == 0, r.Out + r.Err);
        var json = JsonDocument.Parse(r.Out[r.Out.IndexOf('{')..]).RootElement;   // one JSON document: rank 0's
        Assert.Equal(2, json.GetProperty("world_size").GetInt32());
        Assert.Equal(43_242L * 4, json.GetProperty("train_bytes_all_reduced_per_step").GetInt64());
        double step = json.GetProperty("train_step_ms").GetDouble(), comm = json.GetProperty("train_comm_ms").GetDouble();
        Assert.InRange(comm, 1e-6, step);
        Assert.Equal(step - comm, json.GetProperty("train_compute_ms").GetDouble(), 1e-9);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("infer_images_per_sec").ValueKind);
    }
}
