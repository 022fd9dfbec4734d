using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Gateways.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
