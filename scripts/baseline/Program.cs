using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

if (args is ["export", var dbPath, ..])
{
    // The floor for the pledge CSV export: the same rows and joins, written with no library at all.
    await using var connection = new SqliteConnection($"Data Source={dbPath};Mode=ReadOnly");
    await connection.OpenAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = """
        SELECT p."Id", p."OrderId", p."ReceiptCode", p."CreatedUtc", c."Slug", ch."Slug", p."Currency", p."Amount",
               p."MerchantPledge", p."Match", p."RoundUp", p."AddOn", p."DonationTotal", p."Reversed", p."Status"
        FROM "Purchases" p JOIN "Campaigns" c ON c."Id" = p."CampaignId" JOIN "Charities" ch ON ch."Id" = p."CharityId"
        ORDER BY p."Id"
        """;
    await using var writer = new StreamWriter(Console.OpenStandardOutput(), bufferSize: 64 * 1024);
    await using var reader = await command.ExecuteReaderAsync();
    var rows = 0L;
    while (await reader.ReadAsync())
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            if (i > 0) writer.Write(',');
            writer.Write(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture));
        }
        writer.Write("\r\n");
        rows++;
    }
    await Console.Error.WriteLineAsync($"{rows} rows");
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.MapGet("/json", () => new { message = "Hello, World!" });
app.MapPost("/echo", (JsonElement body) => body);
app.Run();
