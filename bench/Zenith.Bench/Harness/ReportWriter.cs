using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Zenith.Bench.Harness;

/// <summary>Writes a report as JSON and Markdown (the verdicts on the targets come from <see cref="TargetVerdicts"/>).</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public const string Zenith = "zenith";
    public const string ZenithNull = "zenith → Null";
    public const string Node = "node-script";
    public const string MongoFunction = "chdb-mongodb()";

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
        md.AppendLine("| data set | contestant | docs | median s | docs/s | CPU s / M docs | runs | × Zenith | status |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var cell in report.Cells)
        {
            var ratio = cell.Contestant == Zenith ? "1.0" : Ratio(report.Cells, cell.DataSet, cell.Contestant) is { } r ? r.ToString("N1", c) : "";
            var status = cell.Status == "ok" ? (cell.Note is null ? "ok" : $"ok ({cell.Note})") : $"{cell.Status}: {cell.Note}";
            md.AppendLine(c, $"| {cell.DataSet} | {cell.Contestant} | {cell.Documents:N0} | {cell.MedianSeconds?.ToString("N2", c) ?? "—"} | {cell.DocsPerSecond?.ToString("N0", c) ?? "—"} | {cell.CpuSecondsPerMillionDocs?.ToString("N2", c) ?? "—"} | {cell.Seconds.Length} | {ratio} | {status.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ")} |");
        }
        md.AppendLine();
        CoresTable(md, report.Cells);
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
        if (report.FourConnectors is { } four)
        {
            md.AppendLine(c, $"Memory with {four.Connectors} connectors at once: a fresh service process, {four.Connectors} connectors added together, each loading its own copy of the flat warm-up collection ({four.DocumentsEach:N0} docs each; all {four.Connectors} ran at once for {four.OverlapSeconds:N1} s of the {four.Seconds:N1} s): peak RSS {four.PeakRssMiB:N0} MiB (VmHWM, start-up included), idle RSS {four.IdleRssMiB:N0} MiB ({four.IdleAfterSeconds:N0} s after the last run); the tables {(four.Check is null ? "matched their collections" : "CHECK FAILED: " + four.Check)}.");
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

    /// <summary>
    /// Where the two cores went during Zenith's runs: per run (medians), the CPU seconds of the service, of both test servers and
    /// of the harness, over the harness's view of the run (its window, a little longer than the run's own time).
    /// </summary>
    private static void CoresTable(StringBuilder md, IReadOnlyList<CellResult> cells)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = cells.Where(x => x.Contestant is Zenith or ZenithNull && x.Cpu?.Median is not null).ToList();
        if (rows.Count == 0)
            return;
        md.AppendLine("Where the two cores went during Zenith's runs (CPU seconds per run, medians; the window is the harness's view of a run, from its request to the poll that saw it finish; busy = their sum ÷ the window, of 2 cores):");
        md.AppendLine();
        md.AppendLine("| data set | contestant | window s | Zenith service | MongoDB test server | ClickHouse test server | harness | busy cores |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var cell in rows)
        {
            var m = cell.Cpu!.Median!;
            var busy = (m.Contestant + m.MongoServer + m.ClickHouseServer + m.Harness) / Math.Max(m.WindowSeconds, 1e-3);
            md.AppendLine(c, $"| {cell.DataSet} | {cell.Contestant} | {m.WindowSeconds:N2} | {m.Contestant:N2} | {m.MongoServer:N2} | {m.ClickHouseServer:N2} | {m.Harness:N2} | {busy:N2} |");
        }
        md.AppendLine();
    }
}
