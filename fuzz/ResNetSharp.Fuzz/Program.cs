using ResNetSharp.Fuzz;
using SharpFuzz;

// ResNetSharp.Fuzz TARGET           under afl-fuzz (fuzz/run.sh): SharpFuzz's loop feeds AFL's inputs to TARGET.
// ResNetSharp.Fuzz TARGET FILE...   replays files through TARGET without AFL (to triage a crash) and prints each outcome.
// ResNetSharp.Fuzz --seeds DIR      writes small valid inputs for every target to DIR/<target>/.
if (args is ["--seeds", var corpus])
{
    Seeds.Write(corpus);
    return 0;
}
if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: ResNetSharp.Fuzz TARGET [FILE...] | --seeds DIR; the targets are {string.Join(", ", FuzzTargets.Names)}.");
    return 2;
}
string target = args[0];
var scratch = Directory.CreateDirectory(Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"resnetsharp-fuzz-{target}-{Environment.ProcessId}"));
if (args.Length > 1)
{
    using var targets = new FuzzTargets(scratch.FullName);
    int failed = 0;
    foreach (var file in args[1..])
    {
        try
        {
            var rejection = targets.Run(target, File.ReadAllBytes(file));
            Console.WriteLine($"{file}: {(rejection is null ? "parsed" : $"rejected: {rejection.Message}")}");
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"{file}: CRASH {e}");
        }
    }
    scratch.Delete(recursive: true);
    return failed == 0 ? 0 : 1;
}
// Instrumented code may run only inside the loop (SharpFuzz maps AFL's coverage memory there), so the targets start in it.
FuzzTargets? fuzzing = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    (fuzzing ??= new FuzzTargets(scratch.FullName)).Run(target, buffer.ToArray());
});
return 0;
