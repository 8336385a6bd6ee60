namespace Zenith.Service.Connectors;

/// <summary>How a use case ended, in words every front end (API, CLI) turns into its own answer.</summary>
public enum Outcome
{
    Ok,

    /// <summary>No connector with that id.</summary>
    NotFound,

    /// <summary>The input is not acceptable; <see cref="UseCaseResult{T}.Errors"/> names the fields (camelCase paths).</summary>
    Invalid,

    /// <summary>The connector is busy (a run is already going).</summary>
    Conflict,

    /// <summary>A server the use case needed failed; <see cref="UseCaseResult{T}.Detail"/> says why, passwords masked.</summary>
    Failed,

    /// <summary>The connector's stored secrets cannot be decrypted: its passwords must be entered again.</summary>
    Unreadable,
}

/// <summary>The value of a use case, or why there is none (made by <see cref="UseCase"/>).</summary>
/// <param name="ErrorDetail">For <see cref="Outcome.Failed"/>: the drivers' own text behind <paramref name="Detail"/>, passwords masked.</param>
public sealed record UseCaseResult<T>(Outcome Outcome, T? Value, IReadOnlyDictionary<string, string[]>? Errors = null, string? Detail = null, string? ErrorDetail = null);

public static class UseCase
{
    public static UseCaseResult<T> Ok<T>(T value) => new(Outcome.Ok, value);

    public static UseCaseResult<T> NotFound<T>() => new(Outcome.NotFound, default);

    public static UseCaseResult<T> Invalid<T>(string field, string message) => new(Outcome.Invalid, default, new Dictionary<string, string[]> { [field] = [message] });

    public static UseCaseResult<T> Conflict<T>(string detail) => new(Outcome.Conflict, default, Detail: detail);

    public static UseCaseResult<T> Failed<T>(string detail, string? errorDetail = null) => new(Outcome.Failed, default, Detail: detail, ErrorDetail: errorDetail);

    public static UseCaseResult<T> Unreadable<T>(string detail) => new(Outcome.Unreadable, default, Detail: detail);
}
