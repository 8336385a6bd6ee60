using BenchmarkDotNet.Attributes;
using MongoDB.Bson;
using Zenith.Bench.DataSets;
using Zenith.Core.Connectors;
using Zenith.Core.Buffers;
using Zenith.Core.Mapping;

namespace Zenith.Bench.Micro;

/// <summary>
/// The transform stage alone: <see cref="RowEncoder.Encode"/> over <see cref="Documents"/> BSON documents
/// laid back to back (as the cursor hands them over), RowBinary rows out. One operation is one document.
/// </summary>
[MemoryDiagnoser]
public class TransformBenchmarks : IDisposable
{
    public const int Documents = 1_000;

    private byte[] documents = [];
    private TableSchema schema = TableSchema.Empty;
    private RowEncoder? encoder;
    private PooledBuffer? output;
    private readonly List<DocumentFailure> failures = [];

    [Params("flat", "nested", "wide", "messy")]
    public string Shape { get; set; } = "flat";

    [GlobalSetup]
    public void Setup()
    {
        DocumentShape shape = Shape switch
        {
            "flat" => new FlatShape(),
            "nested" => new NestedShape(),
            "wide" => new WideShape(),
            "messy" => new MessyShape(Documents),
            _ => throw new ArgumentException($"unknown shape {Shape}"),
        };
        var random = new Random(7);
        using var all = new MemoryStream();
        var builder = new SchemaBuilder(MappingOptions.Default);
        for (var seq = 0; seq < Documents; seq++)
        {
            var bytes = shape.Create(seq, random).ToBson();
            builder.Observe(bytes);
            all.Write(bytes);
        }
        documents = all.ToArray();
        schema = builder.Build().Schema;
        encoder = new RowEncoder(MappingOptions.Default);
        output = new PooledBuffer(documents.Length * 2);
        if (Encode() != Documents || failures.Count > 0)
            throw new InvalidOperationException($"the {Shape} documents did not all encode: {failures.FirstOrDefault()?.Reason}");
    }

    [Benchmark(OperationsPerInvoke = Documents)]
    public int Encode()
    {
        output!.Length = 0;
        failures.Clear();
        var status = encoder!.Encode(documents, schema, 1_767_225_600_000, 1, output, failures, out var rows);
        return status == EncodeStatus.Done ? rows : -1;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        encoder?.Dispose();
        output?.Dispose();
        GC.SuppressFinalize(this);
    }
}
