using System.Runtime.InteropServices;
using ResNetSharp.Runtime;

namespace ResNetSharp.Tests.Runtime;

public class NativeHeapTests
{
    private const int Blocks = 8, BlockBytes = 4 << 20, PageBytes = 4096;

    [Fact]
    public void FreedMemoryIsReusedWithoutPageFaults()
    {
        Assert.True(NativeHeap.KeepFreedMemory(), "glibc refused the thresholds");
        Assert.True(NativeHeap.KeepFreedMemory());   // once per process, then the same answer
        AllocateTouchFree();                        // the first round maps the memory
        long before = MinorFaultsOfThisThread();
        for (int round = 0; round < 4; round++) AllocateTouchFree();
        long faults = MinorFaultsOfThisThread() - before;
        // glibc's defaults give the 32 MiB back to the system at each round's end (a test thread's arena as the main one):
        // 8,192 faults a round, about 32,700 in all. Kept, the rounds reuse the heap: none.
        Assert.True(faults < Blocks * BlockBytes / PageBytes / 4, $"{faults} page faults in 4 rounds of 32 MiB");
    }

    /// <summary>What a CPU training step does: mallocs, writes every page, frees.</summary>
    private static void AllocateTouchFree()
    {
        var blocks = new IntPtr[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(BlockBytes);   // malloc
            Marshal.Copy(Ones, 0, blocks[i], BlockBytes);
        }
        foreach (var block in blocks) Marshal.FreeHGlobal(block);
    }

    private static readonly byte[] Ones = Enumerable.Repeat((byte)1, BlockBytes).ToArray();

    /// <summary>The minor page faults of the calling thread (field 10 of /proc/thread-self/stat).</summary>
    private static long MinorFaultsOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');   // the fields after "pid (comm)", from field 3 on
        return long.Parse(fields[10 - 3]);
    }
}
