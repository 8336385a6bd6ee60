using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Zenith.Bench.Harness;

/// <summary>Writes a report as JSON and Markdown, and derives the verdict on each target from the cells.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public const string Zenith = "zenith";
    public const string Node = "node-script";
    public const string MongoFunction = "chdb-mongodb()";

    public static IReadOnlyList<TargetResult> Targets(IReadOnlyList<CellResult> cells, IReadOnlyList<MicroResult> micro, MemoryResult? memory, VerificationBench? verification, ChangeStreamResult? stream = null)
    {
        var targets = new List<TargetResult>();
        void Micro(string shape, double goal)
        {
            var m = micro.FirstOrDefault(x => x.Shape == shape);
            targets.Add(m is null
                ? new($"transform {shape} docs/s per core", $"≥ {goal:N0}", "not measured", "—")
                : new($"transform {shape} docs/s per core", $"≥ {goal:N0}", $"{m.DocsPerSecondPerCore:N0}", m.DocsPerSecondPerCore >= goal ? "met" : "missed"));
        }
        Micro("flat", 1_000_000);
        Micro("nested", 300_000);
        foreach (var m in micro)
            targets.Add(new($"transform {m.Shape} bytes allocated/doc", "≤ 64", $"{m.BytesAllocatedPerDoc:N1}", m.BytesAllocatedPerDoc <= 64 ? "met" : "missed"));
        if (micro.Count == 0)
            targets.Add(new("transform bytes allocated/doc", "≤ 64", "not measured", "—"));

        void EndToEnd(string dataSet, double goal)
        {
            var z = Cell(cells, dataSet, Zenith);
            targets.Add(z?.DocsPerSecond is { } v
                ? new($"end to end {dataSet} docs/s", $"≥ {goal:N0}", $"{v:N0}", v >= goal ? "met" : "missed")
                : new($"end to end {dataSet} docs/s", $"≥ {goal:N0}", z?.Note ?? "not measured", "—"));
        }
        EndToEnd("flat", 250_000);
        EndToEnd("nested", 100_000);

        foreach (var dataSet in cells.Select(c => c.DataSet).Distinct())
        {
            foreach (var other in new[] { Node, MongoFunction })
            {
                var ratio = Ratio(cells, dataSet, other);
                targets.Add(new($"{dataSet}: Zenith vs {other}", "≥ 5×", ratio is { } r ? $"{r:N1}×" : "—", ratio is { } x ? (x >= 5 ? "met" : "missed") : "—"));
            }
        }

        var incremental = Cell(cells, "incremental", Zenith);
        targets.Add(incremental?.MedianSeconds is { } s
            ? new("incremental run, 1% of the documents changed", "< 1 s", $"{s:N2} s", s < 1 ? "met" : "missed")
            : new("incremental run, 1% of the documents changed", "< 1 s", incremental?.Note ?? "not measured", "—"));
        targets.Add(memory is null
            ? new("peak RSS during the largest run", "≤ 150 MiB", "not measured", "—")
            : new($"peak RSS during the largest run ({memory.Documents:N0} docs)", "≤ 150 MiB", $"{memory.PeakRssMiB:N0} MiB", memory.PeakRssMiB <= 150 ? "met" : "missed"));
        targets.Add(memory is null
            ? new("idle RSS after it", "≤ 80 MiB", "not measured", "—")
            : new($"idle RSS {memory.IdleAfterSeconds:N0} s after it", "≤ 80 MiB", $"{memory.IdleRssMiB:N0} MiB", memory.IdleRssMiB <= 80 ? "met" : "missed"));
        void Latency(string name, double? value, double goal) => targets.Add(value is { } v
            ? new($"change stream write-to-visible {name}", $"≤ {goal:N0} s", $"{v:N2} s", v <= goal && stream!.Check is null ? "met" : "missed")
            : new($"change stream write-to-visible {name}", $"≤ {goal:N0} s", "not measured", "—"));
        Latency("p50", stream?.LatencyP50Seconds, 1);
        Latency("p99", stream?.LatencyP99Seconds, 3);
        // Issue 18's target is the id comparison over 1,000,000 documents: a quick run's smaller table gets a figure, not a verdict;
        // the value sample after it is a separate cost, shown beside it.
        if (verification is null)
        {
            targets.Add(new("verify: _ids compared per second", "≥ 500,000", "not measured", "—"));
        }
        else
        {
            var rate = verification.IdPhaseIdsPerSecond ?? verification.IdsPerSecond;
            targets.Add(new(
                $"verify: _ids compared per second ({verification.IdsCompared:N0} ids{(verification.Clean ? ", clean" : ", DIFFERENCES")})",
                "≥ 500,000",
                $"{rate:N0} (with the {verification.Sampled:N0}-document sample: {verification.IdsPerSecond:N0})",
                !verification.Clean ? "missed" : verification.IdsCompared < 1_000_000 ? "— (< 1,000,000 ids)" : rate >= 500_000 ? "met" : "missed"));
        }
        return targets;
    }

    public static CellResult? Cell(IEnumerable<CellResult> cells, string dataSet, string contestant) =>
        cells.FirstOrDefault(c => c.DataSet == dataSet && c.Contestant == contestant && c.Status == "ok");

    /// <summary>How many times <paramref name="other"/>'s docs/s Zenith's docs/s was on <paramref name="dataSet"/> (rates, since a slow contestant may have run on the sample).</summary>
    public static double? Ratio(IEnumerable<CellResult> cells, string dataSet, string other)
    {
        var list = cells as IReadOnlyCollection<CellResult> ?? cells.ToList();
        return Cell(list, dataSet, Zenith)?.DocsPerSecond is { } z && Cell(list, dataSet, other)?.DocsPerSecond is { } o && o > 0 ? z / o : null;
    }

    /// <summary>latest.json / latest.md for a full run; quick.json / quick.md for --quick, so development runs never overwrite the full figures.</summary>
    public static async Task WriteAsync(BenchReport report, string directory, bool quick, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var name = quick ? "quick" : "latest";
        await File.WriteAllTextAsync(Path.Combine(directory, name + ".json"), JsonSerializer.Serialize(report, Json) + "\n", ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, name + ".md"), Markdown(report), ct).ConfigureAwait(false);
    }

    public static string Markdown(BenchReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var m = report.Machine;
        md.AppendLine(c, $"# Zenith benchmark ({report.Mode})");
        md.AppendLine();
        md.AppendLine(c, $"{report.Started:yyyy-MM-dd HH:mm} UTC, {report.TotalSeconds / 60:N1} min, commit `{m.GitCommit}`. Machine: {m.Cores} cores ({m.CpuModel}), {m.MemoryGiB:N1} GiB, {m.Os}; {m.Dotnet} ({m.GcMode} GC), Node {m.Node}, ClickHouse (chDB) {m.ClickHouse}. Both test servers run on the same machine.");
        md.AppendLine();
        md.AppendLine("Median of the measured runs after a warm-up; every run's table checked against the source (row count, sums of `xxHash64(_id)`, `seq`, `xxHash64(kind)`, `updated_at`). \"× Zenith\" is Zenith's docs/s divided by the contestant's (how many times faster Zenith was).");
        md.AppendLine();
        md.AppendLine("| data set | contestant | docs | median s | docs/s | runs | × Zenith | status |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var cell in report.Cells)
        {
            var ratio = cell.Contestant == Zenith ? "1.0" : Ratio(report.Cells, cell.DataSet, cell.Contestant) is { } r ? r.ToString("N1", c) : "";
            var status = cell.Status == "ok" ? (cell.Note is null ? "ok" : $"ok ({cell.Note})") : $"{cell.Status}: {cell.Note}";
            md.AppendLine(c, $"| {cell.DataSet} | {cell.Contestant} | {cell.Documents:N0} | {cell.MedianSeconds?.ToString("N2", c) ?? "—"} | {cell.DocsPerSecond?.ToString("N0", c) ?? "—"} | {cell.Seconds.Length} | {ratio} | {status.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")} |");
        }
        md.AppendLine();
        if (report.Micro.Count > 0)
        {
            md.AppendLine("Transform stage alone (BenchmarkDotNet, `RowEncoder.Encode`, BSON bytes → RowBinary rows, one thread):");
            md.AppendLine();
            md.AppendLine("| shape | ns/doc | docs/s per core | bytes allocated/doc |");
            md.AppendLine("| --- | ---: | ---: | ---: |");
            foreach (var x in report.Micro)
                md.AppendLine(c, $"| {x.Shape} | {x.NanosecondsPerDoc:N0} | {x.DocsPerSecondPerCore:N0} | {x.BytesAllocatedPerDoc:N1} |");
            md.AppendLine();
        }
        if (report.Memory is { } mem)
        {
            md.AppendLine(c, $"Memory: Zenith's service process ({mem.Run}, {mem.Documents:N0} docs, median {mem.Seconds:N1} s): peak RSS {mem.PeakRssMiB:N0} MiB (VmHWM), idle RSS {mem.IdleRssMiB:N0} MiB (VmRSS {mem.IdleAfterSeconds:N0} s after the last run).{(mem.Note is null ? "" : " " + mem.Note)}");
            md.AppendLine();
        }
        if (report.ChangeStream is { } cs)
        {
            md.AppendLine(c, $"Change stream: a `change_stream` connector on {cs.InitialDocuments:N0} flat documents, then writers aiming at {cs.TargetChangesPerSecond:N0} mixed changes/s (45% inserts, 35% updates, 20% deletes, bulk writes every 100 ms) for {cs.Seconds:N0} s; MongoDB took {cs.WrittenPerSecond:N0}/s. Write-to-visible (a write's acknowledgement → its row readable in ClickHouse, {cs.LatencySamples:N0} changes): p50 {cs.LatencyP50Seconds?.ToString("N2", c) ?? "—"} s, p99 {cs.LatencyP99Seconds?.ToString("N2", c) ?? "—"} s, max {cs.LatencyMaxSeconds?.ToString("N2", c) ?? "—"} s; the stream applied {cs.EventsPerSecond:N0} events/s; Zenith's RSS {cs.AverageRssMiB:N0} MiB on average, peak {cs.PeakRssMiB:N0} MiB (the initial load included); load average during it {cs.LoadAverageDuring}. Check of the current-rows view against the collection: {cs.Check ?? "equal"}.");
            md.AppendLine();
        }
        if (report.Verification is { } v)
        {
            md.AppendLine(c, $"Verification (issue 18) of the table Zenith's largest flat run wrote, through the service's API with a sample of {v.Sampled:N0}: {v.IdsCompared:N0} `_id`s compared in {v.Seconds:N2} s, {v.IdsPerSecond:N0} ids/s ({(v.Clean ? "clean" : "differences found")}; the id comparison alone {(v.IdPhaseSeconds is { } t ? $"{t:N2} s, {v.IdPhaseIdsPerSecond:N0} ids/s, timed by polling its progress every 50 ms" : "not timed")}), MongoDB read at {v.MongoReadsPerSecond:N0} documents/s (ids and sample); the service's RSS {v.RssBeforeMiB:N0} MiB before, at most {v.PeakRssMiB:N0} MiB while it ran (VmRSS sampled every 50 ms; +{v.PeakRssMiB - v.RssBeforeMiB:N0} MiB for {v.Documents:N0} documents). The service reads MongoDB at up to `verification.max_documents_per_second` (raised to 100,000,000 here; the default 200,000 bounds production reads).{(v.Note is null ? "" : " " + v.Note)}");
            md.AppendLine();
        }
        md.AppendLine("| target | goal | measured | verdict |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var t in report.Targets)
            md.AppendLine(c, $"| {t.Target} | {t.Goal} | {t.Measured.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")} | {t.Verdict} |");
        md.AppendLine();
        md.AppendLine("Data sets:");
        md.AppendLine();
        foreach (var d in report.DataSets)
            md.AppendLine(c, $"- **{d.Name}**: {d.Title}; {d.Documents:N0} docs, {d.AverageBsonBytes:N0} B of BSON on average, {d.Columns} columns in the hand-written table (loaded into the test server in {d.LoadSeconds:N1} s).");
        md.AppendLine();
        md.AppendLine("Contestants:");
        md.AppendLine();
        foreach (var x in report.Contestants)
            md.AppendLine(c, $"- **{x.Name}**: {x.Description}.");
        if (report.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Notes:");
            md.AppendLine();
            foreach (var n in report.Notes)
                md.AppendLine(c, $"- {n}");
        }
        return md.ToString();
    }
}
