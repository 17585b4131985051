using System.Buffers.Binary;
using ResNetSharp.Runs.TensorBoard;

namespace ResNetSharp.Tests.Runs;

public class TensorBoardTests
{
    /// <summary>Bitwise CRC32C (reflected polynomial 0x82F63B78), independent of the library's hardware-backed one.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        return ~crc;
    }

    private static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8;

    [Fact]
    public void Crc32C_matches_the_standard_check_value() =>
        // The CRC-32C check value for "123456789" (RFC 3720, appendix B.4; the CRC catalogue's CRC-32/ISCSI).
        Assert.Equal(0xE3069283u, TfRecord.Crc32C("123456789"u8));

    [Fact]
    public void Written_event_file_decodes_with_valid_crcs_and_values()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = new EventWriter(dir.Path))
        {
            writer.Scalars([("loss/train", 0.75), ("accuracy/val_top1", 0.5)], 1);
            writer.Scalar("lr", 0.125, 2);
            path = writer.Path;
        }
        Assert.Matches(@"events\.out\.tfevents\.\d+\..+$", Path.GetFileName(path));

        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        for (int at = 0; at < bytes.Length;)
        {
            var span = bytes.AsSpan(at);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(span);
            Assert.Equal(Masked(Crc32C(span[..8])), BinaryPrimitives.ReadUInt32LittleEndian(span[8..]));
            var data = span.Slice(12, (int)length);
            Assert.Equal(Masked(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(span[(12 + (int)length)..]));
            events.Add(Event.Parser.ParseFrom(data.ToArray()));
            at += 12 + (int)length + 4;
        }

        Assert.Equal(3, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal(1, events[1].Step);
        Assert.Equal(["loss/train", "accuracy/val_top1"], events[1].Summary.Value.Select(v => v.Tag));
        Assert.Equal([0.75f, 0.5f], events[1].Summary.Value.Select(v => v.SimpleValue));
        Assert.Equal(2, events[2].Step);
        Assert.Equal(0.125f, events[2].Summary.Value.Single().SimpleValue);
        Assert.InRange(events[2].WallTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public void Event_bytes_follow_tensorflow_field_numbers()
    {
        // Hand-encoded: Event{step=2 (field 2, varint), summary (field 5, bytes) {value (1) {tag (1) "a", simple_value (2, fixed32) 1.0f}}}.
        byte[] expected = [0x10, 0x02, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, (byte)'a', 0x15, 0x00, 0x00, 0x80, 0x3F];
        var e = new Event { Step = 2, Summary = new Summary { Value = { new Summary.Types.Value { Tag = "a", SimpleValue = 1f } } } };
        Assert.Equal(expected, Google.Protobuf.MessageExtensions.ToByteArray(e));
    }
}
