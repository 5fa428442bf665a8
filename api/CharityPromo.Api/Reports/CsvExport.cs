using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace CharityPromo.Api.Reports;

/// <summary>
/// Every CSV the API hands out: RFC 4180 with CRLF, UTF-8 with a BOM (so spreadsheets read it as UTF-8),
/// headers named like the JSON fields, written row by row as the rows arrive (memory stays flat), and
/// cells a spreadsheet would run as a formula (starting =, +, -, @, tab or CR) prefixed with an apostrophe.
/// </summary>
internal static class CsvExport
{
    private static readonly CsvConfiguration Settings = new(CultureInfo.InvariantCulture)
    {
        InjectionOptions = InjectionOptions.Escape,
        NewLine = "\r\n",
    };

    public static async Task WriteAsync<T>(IAsyncEnumerable<T> rows, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 64 * 1024);
        await using var csv = new CsvWriter(writer, Settings);
        csv.Context.RegisterClassMap<CamelCaseMap<T>>();
        csv.WriteHeader<T>();
        await csv.NextRecordAsync();
        await foreach (var row in rows.WithCancellation(ct))
        {
            csv.WriteRecord(row);
            await csv.NextRecordAsync();
        }
    }

    /// <summary>Headers named like the JSON fields (API-CONTRACT.md): purchaseId, orderId, …</summary>
    private sealed class CamelCaseMap<T> : ClassMap<T>
    {
        public CamelCaseMap()
        {
            AutoMap(CultureInfo.InvariantCulture);
            foreach (var member in MemberMaps) member.Name(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(member.Data.Member!.Name));
        }
    }
}
