using MongoDB.Bson;
using Zenith.Service.Api;

namespace Zenith.Service.Tests.Api;

/// <summary>Filters and projections a user writes pass; the ones MongoDB would refuse or misread do not (issue 14, item 12).</summary>
public sealed class QueryValidatorTests
{
    [Theory]
    [InlineData("""{ "organization_id": { "$gt": 0 } }""")]
    [InlineData("""{ "$or": [ { "a": 1 }, { "b": { "$exists": true } } ], "c": { "$in": [1, 2] } }""")]
    [InlineData("""{ "site": { "$regex": "^https", "$options": "i" }, "n": { "$not": { "$lt": 5 } } }""")]
    [InlineData("""{ "address": { "city": "Tashkent" }, "tags": { "$all": ["a"] }, "items": { "$elemMatch": { "qty": { "$gt": 2 } } } }""")]
    [InlineData("""{ "$expr": { "$gt": ["$spent", "$budget"] }, "$comment": "over budget" }""")]
    [InlineData("{}")]
    public void Queries_a_user_writes_pass(string filter) => Assert.Null(QueryValidator.FilterError(BsonDocument.Parse(filter)));

    [Theory]
    [InlineData("""{ "password_hash": 0 }""")]
    [InlineData("""{ "_id": 0, "a": 1, "b.c": 1 }""")]
    [InlineData("""{ "a": true }""")]
    [InlineData("{}")]
    public void Projections_a_user_writes_pass(string projection) => Assert.Null(QueryValidator.ProjectionError(BsonDocument.Parse(projection)));

    [Theory]
    [InlineData("""{ "$nor": [] }""", "non-empty array")]
    [InlineData("""{ "$and": [ { "a": { "$in": 1 } } ] }""", "$in needs an array")]
    [InlineData("""{ "a": { "$not": 5 } }""", "$not needs")]
    [InlineData("""{ "a": { "$gt": 1, "b": 2 } }""", "cannot be mixed")]
    [InlineData("""{ "$expr": { "$accumulator": {} } }""", "JavaScript")]
    public void Queries_mongodb_would_refuse_are_named(string filter, string words) =>
        Assert.Contains(words, QueryValidator.FilterError(BsonDocument.Parse(filter)), StringComparison.Ordinal);
}
