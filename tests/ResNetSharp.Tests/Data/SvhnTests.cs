using System.Security.Cryptography;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Tests.Data;

/// <summary>
/// SVHN's .mat files, read from fixtures that Debian's scipy wrote (Fixtures/make_svhn_fixtures.py): X[r, c, ch, n] =
/// (r + 2c + 5ch + 7n) % 256, y = 1, 10, 5, 3, one file uncompressed, one with zlib-compressed elements.
/// </summary>
public class SvhnTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "svhn", name);

    [Theory]
    [InlineData("plain.mat")]
    [InlineData("compressed.mat")]
    public void Reads_scipy_written_files_column_major_with_label_10_as_0(string name)
    {
        using var data = Svhn.Read(Fixture(name));
        Assert.Equal([4L, 3, 32, 32], data.Images.shape);
        Assert.Equal([1L, 0, 5, 3], data.Labels.data<long>().ToArray());
        foreach (var (n, ch, r, c) in new[] { (0, 0, 0, 1), (2, 1, 3, 2), (3, 2, 31, 17) })
            Assert.Equal((byte)((r + 2 * c + 5 * ch + 7 * n) % 256), data.Images[n, ch, r, c].item<byte>());   // [N, C, row, column]
    }

    [Fact]
    public void Opens_by_name_and_downloads_with_md5_check()
    {
        using var dir = new TempDir();
        byte[] plain = File.ReadAllBytes(Fixture("plain.mat")), compressed = File.ReadAllBytes(Fixture("compressed.mat"));
        using var server = new LoopbackServer(("train_32x32.mat", plain), ("test_32x32.mat", compressed));
        var md5s = new Dictionary<string, string>
        {
            ["train_32x32.mat"] = Convert.ToHexStringLower(MD5.HashData(plain)),
            ["test_32x32.mat"] = Convert.ToHexStringLower(MD5.HashData(compressed)),
        };
        using (var source = Svhn.Open(dir.Combine("svhn"), download: true, mirrors: [server.Url], md5s: md5s))
        {
            Assert.Equal((3, 32, 32), source.InputSize);
            Assert.Equal(4, source.Get(Split.Val).Count);
            Assert.False(source.AllowFlip);
        }
        using (var byName = (InMemoryDataSource)DataSpec.Open($"svhn:{dir.Combine("svhn")}"))
            Assert.Equal(4, byName.Get(Split.Train).Count);
        var e = Assert.Throws<ResNetSharpException>(() => Svhn.Open(dir.Combine("other"), download: true, mirrors: [server.Url]));
        Assert.Contains("MD5 ", e.Message);
        Assert.Contains("expected e26dedcc434d2e4c54c9b2d4a06d8373", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Combine("other")));
    }

    [Fact]
    public void Hostile_or_truncated_mat_files_are_one_clear_error()
    {
        using var dir = new TempDir();
        string path = dir.Combine("bad.mat");
        byte[] plain = File.ReadAllBytes(Fixture("plain.mat")), compressed = File.ReadAllBytes(Fixture("compressed.mat"));
        string Error(byte[] bytes)
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<ResNetSharpException>(() => Svhn.Read(path));
            Assert.Contains($"'{path}'", e.Message);
            Assert.Contains("download it again", e.Message);
            return e.Message;
        }
        Assert.Contains("remain (truncated)", Error(plain[..5000]));
        Assert.Contains("truncated", Error(compressed[..400]));
        Assert.Contains("shorter than the 128-byte", Error(plain[..100]));
        Assert.Contains("not a level 5 MAT-file", Error([.. plain[..124], 0, 2, (byte)'I', (byte)'M', .. plain[128..]]));
        Assert.Contains("big-endian", Error([.. plain[..126], (byte)'M', (byte)'I', .. plain[128..]]));

        // The first variable's top-level size claims 4 GB; then its dimensions claim (2^31 - 1)^2 x 3 x 4 elements.
        var huge = (byte[])plain.Clone();
        BitConverter.GetBytes(0xFFFFFFF0u).CopyTo(huge, 132);
        Assert.Contains("claims 4294967280 bytes", Error(huge));
        var dims = (byte[])plain.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(dims, 160);
        BitConverter.GetBytes(int.MaxValue).CopyTo(dims, 164);
        Assert.Contains("'X' [2147483647 x 2147483647 x 3 x 4] has 12288 bytes of type 2, not", Error(dims));
        var negative = (byte[])plain.Clone();
        BitConverter.GetBytes(-5).CopyTo(negative, 160);
        Assert.Contains("negative dimension", Error(negative));
        var noY = (byte[])plain.Clone();
        noY[Array.LastIndexOf(noY, (byte)'y')] = (byte)'z';
        Assert.Contains("no numeric variable 'y'", Error(noY));
    }
}
