using System.Buffers;
using Zenith.Core.Buffers;

namespace Zenith.Core.Tests;

public sealed class PooledBufferTests
{
    [Fact]
    public void A_buffer_on_its_own_pool_rents_grows_and_returns_there()
    {
        var pool = new CountingPool();
        using (var buffer = new PooledBuffer(256, pool))
        {
            buffer.Write(new byte[1000]);
            buffer.WriteString("abc"u8);
            Assert.Equal(1004, buffer.Length);
            Assert.True(pool.Rented >= 2, "the buffer should have grown on its pool");
            Assert.Equal(pool.Rented - 1, pool.Returned);
        }

        Assert.Equal(pool.Rented, pool.Returned);
    }

    private sealed class CountingPool : ArrayPool<byte>
    {
        public int Rented { get; private set; }

        public int Returned { get; private set; }

        public override byte[] Rent(int minimumLength)
        {
            Rented++;
            return new byte[minimumLength];
        }

        public override void Return(byte[] array, bool clearArray = false) => Returned++;
    }

    [Fact]
    public void Growth_past_what_an_array_holds_fails_at_once_with_a_reason()
    {
        // The length alone says how much is needed: nothing of that size is allocated to find out.
        using var buffer = new PooledBuffer(256) { Length = Array.MaxLength - 8 };
        var error = Assert.Throws<InvalidOperationException>(() => buffer.Ensure(64));
        Assert.Contains("bounded by bytes", error.Message, StringComparison.Ordinal);
    }
}
