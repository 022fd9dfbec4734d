namespace Gateways.Tests.Infrastructure;

public static class RepositoryPaths
{
    /// <summary>The folder that holds Gateways.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string NodeTests => Path.Combine(Root, "tests", "node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateways.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Gateways.sln not found above {AppContext.BaseDirectory}.");
    }
}
