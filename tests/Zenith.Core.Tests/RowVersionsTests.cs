using Zenith.Core.Inserts;

namespace Zenith.Core.Tests;

/// <summary>Row versions and insert deduplication tokens alone.</summary>
public sealed class RowVersionsTests
{
    [Fact]
    public void Later_batches_and_later_runs_get_higher_versions()
    {
        var run = new RowVersions(1_795_428_000_000);
        var later = new RowVersions(1_795_428_000_001);
        Assert.True(run.Version(1) > run.Version(0));
        Assert.True(later.Version(0) > run.Version(1_000_000));
        Assert.Equal((1_795_428_000_000UL << 22) + 5, run.Version(5));
    }

    [Fact]
    public void A_run_past_four_million_batches_keeps_its_last_version_rather_than_reach_the_next_millisecond()
    {
        var run = new RowVersions(1_000);
        Assert.Equal(run.Version((1L << 22) - 1), run.Version(1L << 30));
        Assert.True(new RowVersions(1_001).Version(0) > run.Version(1L << 30));
    }

    [Fact]
    public void A_token_names_the_connector_the_run_and_the_inserts_batches()
    {
        var runId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var tokens = new DeduplicationTokens(3, runId);
        Assert.Equal("zenith-3-0f8fad5bd9cb469fa16570867728950e-10-19", tokens.For(10, 19));
        Assert.Equal(tokens.For(10, 19), new DeduplicationTokens(3, runId).For(10, 19));
        Assert.NotEqual(tokens.For(10, 19), new DeduplicationTokens(3, Guid.NewGuid()).For(10, 19));
        Assert.NotEqual(tokens.For(10, 19), tokens.For(10, 20));
    }
}
