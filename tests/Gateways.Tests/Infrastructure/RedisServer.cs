namespace Gateways.Tests.Infrastructure;

/// <summary>The redis-server that ./test.sh starts for the test run; its port comes in GATEWAYS_TEST_REDIS_PORT.</summary>
public static class RedisServer
{
    public static int Port => int.TryParse(Environment.GetEnvironmentVariable("GATEWAYS_TEST_REDIS_PORT"), out var port)
        ? port
        : throw new InvalidOperationException(
            "These tests need a real redis-server: run ./test.sh (it installs and starts one), or start one and set GATEWAYS_TEST_REDIS_PORT.");

    public static string Configuration => $"127.0.0.1:{Port}";
}
