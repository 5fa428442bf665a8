namespace CharityPromo.Testing;

/// <summary>The repository the tests were built from: where docs/ and artifacts/ are.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string PathTo(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CharityPromo.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"No CharityPromo.sln above {AppContext.BaseDirectory}.");
    }
}
