namespace Zenith.Core.Mapping;

/// <summary>The encoder's count of values that did not fit their key column (pinned, see <see cref="KeyColumns"/>), for the run's warning.</summary>
public sealed partial class RowEncoder
{
    private readonly HashSet<int> _keyMisfitColumns = [];
    private int _keyMisfits;

    /// <summary>
    /// Values since the last call that did not fit their key column (<see cref="KeyColumns"/>: never widened) and went to
    /// <c>_zenith_extra</c> instead (among <see cref="Spilled"/>), and which columns they were meant for.
    /// </summary>
    public (int Values, IReadOnlyCollection<int> Columns) TakeKeyMisfits()
    {
        var taken = (_keyMisfits, (IReadOnlyCollection<int>)[.. _keyMisfitColumns]);
        _keyMisfits = 0;
        _keyMisfitColumns.Clear();
        return taken;
    }

    /// <summary>A value that does not fit its column goes to <c>_zenith_extra</c>; one meant for a key column is also counted as a key misfit.</summary>
    private void SpillMisfit(int element, TableSchema schema, int column)
    {
        _spills.Add(element);
        if (schema.IsKeyColumn(column))
        {
            _keyMisfits++;
            _keyMisfitColumns.Add(column);
        }
    }
}
