using System.Text;

namespace Zenith.TestServers.ClickHouse;

/// <summary>
/// What a server process wrote, bounded for long runs: its first lines (start-up problems) and its last lines
/// (what it said before it failed), each cut to a readable length. Thread-safe.
/// </summary>
internal sealed class OutputTail(int headLines = 40, int tailLines = 400, int maxLineLength = 2000)
{
    private readonly List<string> head = [];
    private readonly Queue<string> tail = new();
    private long dropped;

    public void Add(string line)
    {
        if (line.Length > maxLineLength)
            line = string.Concat(line.AsSpan(0, maxLineLength), " …");
        lock (tail)
        {
            if (head.Count < headLines)
            {
                head.Add(line);
                return;
            }
            tail.Enqueue(line);
            if (tail.Count > tailLines)
            {
                tail.Dequeue();
                dropped++;
            }
        }
    }

    public bool Contains(string text)
    {
        lock (tail)
        {
            return head.Concat(tail).Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    public override string ToString()
    {
        lock (tail)
        {
            var text = new StringBuilder();
            foreach (var line in head)
                text.AppendLine(line);
            if (dropped > 0)
                text.AppendLine($"… {dropped} lines left out …");
            foreach (var line in tail)
                text.AppendLine(line);
            return text.Length == 0 ? "(nothing)" : text.ToString();
        }
    }
}
