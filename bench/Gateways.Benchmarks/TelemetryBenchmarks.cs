using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateways.EngineIO;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Gateways.Benchmarks;

/// <summary>
/// The echo of <see cref="EventRoundTripBenchmarks"/> with nothing listening to the <c>Gateways</c> meter and
/// ActivitySource, and with the OpenTelemetry SDK collecting both as an app would set it up (every span sampled, the
/// batch processor, a periodic metric reader); the exporters drop what they get, so what is measured is the
/// framework's instrumentation and the SDK's collection, not an exporter's I/O.
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly byte[] _echo = Encoding.UTF8.GetBytes("427[\"echo-args\",\"0123456789abcdef\"]");
    private StandInServer _server = null!;
    private EngineIOSession _session = null!;
    private TracerProvider? _tracing;
    private MeterProvider? _metrics;

    /// <summary>What the OpenTelemetry SDK collects.</summary>
    public enum Collection
    {
        Nothing,
        Metrics,
        MetricsAndEverySpan,
    }

    [Params(Collection.Nothing, Collection.Metrics, Collection.MetricsAndEverySpan)]
    public Collection Sdk { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Sdk == Collection.MetricsAndEverySpan)
        {
            _tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
                .AddSource("Gateways")
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new BatchActivityExportProcessor(new DroppingExporter<Activity>()))
                .Build();
        }
        if (Sdk != Collection.Nothing)
        {
            _metrics = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
                .AddMeter("Gateways")
                .AddReader(new PeriodicExportingMetricReader(new DroppingExporter<Metric>(), exportIntervalMilliseconds: 10_000))
                .Build();
        }
        _server = new StandInServer(gateways => gateways.AddGateway<BenchGateway>());
        _session = _server.Connect();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.Dispose();
        _tracing?.Dispose();
        _metrics?.Dispose();
    }

    [Benchmark(Description = "echo: event with ack in, ack out")]
    public long Echo()
    {
        StandInServer.Receive(_session, _echo);
        return _server.BytesWritten;
    }

    private sealed class DroppingExporter<T> : BaseExporter<T> where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
