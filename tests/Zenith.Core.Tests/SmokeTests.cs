namespace Zenith.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void Builds() => Assert.True(typeof(SmokeTests).Assembly.GetName().Name == "Zenith.Core.Tests");
}
