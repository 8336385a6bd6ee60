using System.Text.Json;

namespace Zenith.Core.Mapping;

/// <summary>
/// The values of one document that go to <c>_zenith_extra</c>: each as the offsets of its ancestors' elements and its own,
/// so the object is written afterwards with each value under its path (<c>{"address": {"zip": …}}</c>), without copying anything.
/// The encoder walks depth first, so values under one ancestor are consecutive.
/// </summary>
internal sealed class SpillList
{
    private int[] _data = new int[64];
    private readonly int[] _stack = new int[64];
    private readonly int[] _open = new int[64];
    private int _length;
    private int _depth;

    public int Count { get; private set; }

    public void Clear()
    {
        _length = 0;
        _depth = 0;
        Count = 0;
    }

    /// <summary>Entering the sub-document whose element starts at <paramref name="element"/>.</summary>
    public void Push(int element) => _stack[_depth++] = element;

    public void Pop() => _depth--;

    /// <summary>The value whose element starts at <paramref name="element"/> (offsets into the document) goes to the extras.</summary>
    public void Add(int element)
    {
        if (_length + _depth + 2 > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + _depth + 2));
        }

        _data[_length++] = _depth;
        Array.Copy(_stack, 0, _data, _length, _depth);
        _length += _depth;
        _data[_length++] = element;
        Count++;
    }

    /// <summary>Writes the extras as one object; <paramref name="escapeKeys"/> for the JSON type (see <see cref="ExtendedJson.WriteValue"/>).</summary>
    public void WriteObject(Utf8JsonWriter json, ReadOnlySpan<byte> document, bool escapeKeys)
    {
        json.WriteStartObject();
        var open = 0;
        for (var at = 0; at < _length;)
        {
            var depth = _data[at++];
            var shared = 0;
            while (shared < open && shared < depth && _open[shared] == _data[at + shared])
            {
                shared++;
            }

            for (; open > shared; open--)
            {
                json.WriteEndObject();
            }

            for (var i = shared; i < depth; i++)
            {
                var ancestor = RowEncoder.ElementAt(document, _data[at + i]);
                ExtendedJson.WriteName(json, ancestor.Name, escapeKeys);
                json.WriteStartObject();
                _open[open++] = _data[at + i];
            }

            var value = RowEncoder.ElementAt(document, _data[at + depth]);
            ExtendedJson.WriteName(json, value.Name, escapeKeys);
            ExtendedJson.WriteValue(json, value, escapeKeys);
            at += depth + 1;
        }

        for (; open > 0; open--)
        {
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.Flush();
    }
}
