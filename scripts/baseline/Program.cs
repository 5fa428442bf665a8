using System.Text.Json;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.MapGet("/json", () => new { message = "Hello, World!" });
app.MapPost("/echo", (JsonElement body) => body);
app.Run();
