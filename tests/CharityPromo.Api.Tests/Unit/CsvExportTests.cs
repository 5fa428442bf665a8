using System.Globalization;
using System.Text;
using CharityPromo.Api.Reports;
using CsvHelper;

namespace CharityPromo.Api.Tests.Unit;

public class CsvExportTests
{
    public sealed record Row(Guid Id, string Text, string? Maybe, long Amount, long? Optional, int Count);

    [Fact]
    public async Task EveryCellReadsBackAsWrittenThroughAStandardCsvReaderAcrossManyBufferDrains()
    {
        var texts = new[] { "plain", "comma, inside", "a \"quoted\" word", "two\r\nlines", " leading space", "trailing space ", "=1+2", "-2+3", "@cmd", "\tTAB", "émoji ☕" };
        var rows = Enumerable.Range(0, 5000).Select(i => new Row(
            Guid.CreateVersion7(), texts[i % texts.Length], i % 3 == 0 ? null : $"m{i}", -i * 101L, i % 2 == 0 ? null : i * 7L, i)).ToList();

        using var output = new MemoryStream();
        await CsvExport.WriteAsync(rows.ToAsyncEnumerable(), output, CancellationToken.None);

        var bytes = output.ToArray();
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var text = Encoding.UTF8.GetString(bytes.AsSpan(3));
        text.ShouldStartWith("id,text,maybe,amount,optional,count\r\n");
        text.ShouldEndWith("\r\n");
        using var csv = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        var parsed = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        parsed.Count.ShouldBe(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, cells) = (rows[i], parsed[i]);
            cells["id"].ShouldBe(row.Id.ToString());
            var formula = row.Text[0] is '=' or '-' or '@' or '\t';
            cells["text"].ShouldBe(formula ? "'" + row.Text : row.Text); // a spreadsheet shows it, never runs it
            cells["maybe"].ShouldBe(row.Maybe ?? "");
            cells["amount"].ShouldBe(row.Amount.ToString(CultureInfo.InvariantCulture)); // negative numbers stay numbers
            cells["optional"].ShouldBe(row.Optional?.ToString(CultureInfo.InvariantCulture) ?? "");
            cells["count"].ShouldBe(row.Count.ToString(CultureInfo.InvariantCulture));
        }
    }
}
