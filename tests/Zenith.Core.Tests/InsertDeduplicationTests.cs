using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

/// <summary>Whether a destination table writes a retried insert once, read from system.tables as ClickHouse 26 shows it.</summary>
public class InsertDeduplicationTests
{
    [Theory]
    [InlineData("ReplacingMergeTree", "ReplacingMergeTree(_zenith_version) ORDER BY (_zenith_id_type, _id) SETTINGS index_granularity = 8192, non_replicated_deduplication_window = 1000", InsertDeduplication.On)]
    [InlineData("MergeTree", "MergeTree ORDER BY _id SETTINGS index_granularity = 8192", InsertDeduplication.Off)]
    [InlineData("MergeTree", "MergeTree ORDER BY _id SETTINGS non_replicated_deduplication_window = 0, index_granularity = 8192", InsertDeduplication.Off)]
    [InlineData("MergeTree", "MergeTree ORDER BY _id", InsertDeduplication.Off)]
    [InlineData("ReplicatedReplacingMergeTree", "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/events', '{replica}', _zenith_version) ORDER BY _id SETTINGS index_granularity = 8192", InsertDeduplication.On)]
    [InlineData("Null", "Null", InsertDeduplication.NotApplicable)]
    [InlineData("Memory", "Memory", InsertDeduplication.NotApplicable)]
    [InlineData("Distributed", "Distributed('cluster', 'db', 'events_local', rand())", InsertDeduplication.NotApplicable)]
    public void Is_read_from_the_engine_and_its_settings(string engine, string engineFull, InsertDeduplication expected) =>
        Assert.Equal(expected, Ddl.Deduplication(engine, engineFull));

    [Fact]
    public void A_Buffer_whose_destination_is_named_after_the_setting_is_not_taken_for_a_table_that_has_it() =>
        Assert.Equal(InsertDeduplication.NotApplicable, Ddl.Deduplication("Buffer", "Buffer('db', 'sink_non_replicated_deduplication_window', 1, 0, 0, 1, 1, 1, 1)"));

    [Fact]
    public void Only_the_settings_clause_counts_not_words_in_the_sorting_key() =>
        Assert.Equal(InsertDeduplication.Off, Ddl.Deduplication("MergeTree", "MergeTree ORDER BY non_replicated_deduplication_window SETTINGS index_granularity = 8192"));
}
