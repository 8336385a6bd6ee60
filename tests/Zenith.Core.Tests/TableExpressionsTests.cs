using Zenith.Core.Connectors;
using Zenith.Core.Mapping;

namespace Zenith.Core.Tests;

/// <summary>Issue 14, item 4: what may go verbatim into the DDL Zenith runs with the stored credentials.</summary>
public sealed class TableExpressionsTests
{
    [Theory]
    [InlineData("_id")]
    [InlineData("(organization_id, _id)")]
    [InlineData("toYYYYMM(created_at)")]
    [InlineData("tuple()")]
    [InlineData("intDiv(user_id, 1000), cityHash64(`site name`)")]
    [InlineData("`weird``name`, \"quoted\"")]
    [InlineData("toStartOfInterval(ts, INTERVAL 1 HOUR)")]
    [InlineData("if(isNull(x), 0, x) % 16")]
    [InlineData("toDate(updated_at) >= '2026-01-01' AND kind IN ('a', 'b')")]
    public void Expressions_a_sorting_or_partition_key_uses_are_allowed(string expression) => Assert.Null(TableExpressions.Error(expression));

    [Theory]
    [InlineData("created_at + INTERVAL 90 DAY")]
    [InlineData("toDateTime(created_at) + toIntervalDay(30) DELETE")]
    public void A_ttl_may_end_with_its_delete_action(string expression) => Assert.Null(TableExpressions.Error(expression, ttl: true));

    [Theory]
    [InlineData("_id SETTINGS storage_policy = 'evil'", "SETTINGS")]
    [InlineData("created_at + INTERVAL 1 DAY TO DISK 'cold'", "TO")]
    [InlineData("d RECOMPRESS CODEC(ZSTD(22))", "RECOMPRESS")]
    [InlineData("x GROUP BY x SET y = max(y)", "GROUP")]
    [InlineData("d WHERE x IN (SELECT 1)", "WHERE")]
    [InlineData("d DELETE WHERE 1", "DELETE")]
    public void Clauses_that_would_follow_the_expression_are_refused(string expression, string word) =>
        Assert.Contains($"'{word}'", TableExpressions.Error(expression, ttl: true), StringComparison.Ordinal);

    [Theory]
    [InlineData("url('http://attacker.example/x', CSV, 'a String')", "url()")]
    [InlineData("file('/etc/passwd')", "file()")]
    [InlineData("dictGet('d', 'a', 1)", "dictGet()")]
    [InlineData("sleep(3)", "sleep()")]
    [InlineData("s3('https://bucket/x')", "s3()")]
    [InlineData("remote('10.0.0.1', system.one)", "remote()")]
    public void Functions_outside_the_allow_list_are_refused(string expression, string function) =>
        Assert.Contains(function, TableExpressions.Error(expression), StringComparison.Ordinal);

    [Theory]
    [InlineData("_id; DROP TABLE x")]
    [InlineData("_id -- the rest is a comment")]
    [InlineData("_id /* SETTINGS")]
    [InlineData("_id # comment")]
    [InlineData("{name:String}")]
    [InlineData("x::String")]
    [InlineData("_id\nSETTINGS a=1")]
    [InlineData("toYYYYMM(created_at")]
    [InlineData("a)")]
    [InlineData("'unterminated")]
    [InlineData("`unterminated")]
    [InlineData("   ")]
    [InlineData("naïve")]
    public void Anything_else_is_refused(string expression) => Assert.NotNull(TableExpressions.Error(expression));

    [Fact]
    public void A_long_expression_is_refused() => Assert.Contains("500", TableExpressions.Error(new string('a', 501)), StringComparison.Ordinal);

    [Fact]
    public void Check_names_each_bad_field() =>
        Assert.Equal(
            ["table.orderBy", "table.ttl"],
            TableExpressions.Check(new TableOptions("_id SETTINGS x=1", "toYYYYMM(d)", "file('x')")).Keys.Order());

    [Fact]
    public void The_parse_check_has_clickhouse_read_each_expression_in_a_definition_of_its_own()
    {
        var checks = Ddl.ParseCheck(new TableOptions("(a, _id)", "toYYYYMM(d)", "d + INTERVAL 1 DAY"));
        Assert.Equal(
            [
                ("table.orderBy", "EXPLAIN AST CREATE TABLE `_zenith_check`.`t` (`_id` String) ENGINE = MergeTree ORDER BY (a, _id)", 2),
                ("table.partitionBy", "EXPLAIN AST CREATE TABLE `_zenith_check`.`t` (`_id` String) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY tuple()", 3),
                ("table.ttl", "EXPLAIN AST CREATE TABLE `_zenith_check`.`t` (`_id` String) ENGINE = MergeTree ORDER BY tuple() TTL d + INTERVAL 1 DAY", 3),
            ],
            checks);
        Assert.Empty(Ddl.ParseCheck(TableOptions.Default));
    }
}
