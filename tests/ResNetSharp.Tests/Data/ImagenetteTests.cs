using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using SkiaSharp;

namespace ResNetSharp.Tests.Data;

public class ImagenetteTests
{
    /// <summary>A tiny imagenette2-160 archive as fastai lays it out: imagenette2-160/{train,val}/WNID/*.JPEG.</summary>
    private static (byte[] Bytes, string Md5) Archive(TempDir dir)
    {
        foreach (var split in new[] { "train", "val" })
            foreach (var (wnid, color) in new[] { ("n01440764", new SKColor(200, 30, 30)), ("n02102040", new SKColor(30, 30, 200)) })
                for (int i = 0; i < 2; i++)
                    TestImages.Write(dir.Combine("src", "imagenette2-160", split, wnid, $"{wnid}_{i}.JPEG"), 12, 10, (_, _) => color);
        return TestArchives.TarGz(dir.Combine("src"));
    }

    [Fact]
    public void Names_map_to_fastai_archives()
    {
        Assert.Equal(["imagenette", "imagenette-320", "imagenette-160", "imagewoof", "imagewoof-320", "imagewoof-160"], Imagenette.Names);
        Assert.Equal("imagewoof2-320", Imagenette.Folder("imagewoof-320"));
        Assert.Null(Imagenette.Folder("imagenette-64"));
    }

    [Fact]
    public void Download_checks_the_md5_unpacks_with_the_bcl_and_opens_an_image_folder()
    {
        using var dir = new TempDir();
        var (bytes, md5) = Archive(dir);
        using var server = new LoopbackServer(("imagenette2-160.tgz", bytes));
        var e = Assert.Throws<ResNetSharpException>(() => Imagenette.Open("imagenette-160", dir.Combine("data"), download: true, mirrors: [server.Url]));
        Assert.Contains("expected c475f8f7617a200ba35b9facc48443c3 or e793b78cc4c9e9a4ccc0c1155377a412", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("data")));

        using (var source = (InMemoryDataSource)Imagenette.Open("imagenette-160", dir.Combine("data"), download: true, mirrors: [server.Url],
            md5s: [md5]))
        {
            Assert.Equal(["n01440764", "n02102040"], source.Classes);
            Assert.Equal(4, source.Get(Split.Train).Count);
        }
        Assert.True(Directory.Exists(dir.Combine("data", "imagenette2-160", "val", "n02102040")));
        using var byName = DataSpec.Open($"imagenette-160:{dir.Combine("data")}");
        Assert.Equal(2, byName.Classes.Count);
        Assert.Contains("no imagewoof data", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"imagewoof:{dir.Combine("data")}")).Message);
    }
}
