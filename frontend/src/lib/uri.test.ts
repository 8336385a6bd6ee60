import { describe, expect, it } from "vitest";
import { needsPasswordAgain, splitPassword, withPassword } from "./uri";

describe("splitPassword", () => {
  it("takes the password out of a MongoDB URI with several hosts and masks it", () => {
    expect(splitPassword("mongodb://app:s3cr%40t@h1:27017,h2:27017/?authSource=admin")).toEqual({
      uri: "mongodb://app:***@h1:27017,h2:27017/?authSource=admin",
      password: "s3cr@t",
    });
  });

  it("leaves URIs without a password, or already masked, alone", () => {
    expect(splitPassword("http://default@ch:8123")).toEqual({ uri: "http://default@ch:8123", password: "" });
    expect(splitPassword("http://default:***@ch:8123")).toEqual({ uri: "http://default:***@ch:8123", password: "" });
    expect(splitPassword("mongodb://127.0.0.1:27017/")).toEqual({ uri: "mongodb://127.0.0.1:27017/", password: "" });
  });
});

describe("withPassword", () => {
  it("replaces the mask with the typed password, percent-encoded", () => {
    expect(withPassword("mongodb://app:***@h1/", "p@ss:word")).toBe("mongodb://app:p%40ss%3Aword@h1/");
  });

  it("adds the default user when the address names none", () => {
    expect(withPassword("http://ch:8123", "pw", "default")).toBe("http://default:pw@ch:8123");
  });

  it("keeps the URI (and so the stored password) when no password was typed", () => {
    expect(withPassword("http://default:***@ch:8123", "")).toBe("http://default:***@ch:8123");
  });
});

describe("needsPasswordAgain", () => {
  const saved = "mongodb://app:***@h1:27017,h2:27017/?authSource=admin&w=1";

  it("asks when the masked password would go to another server, user or auth, TLS or proxy setting", () => {
    expect(needsPasswordAgain(saved, "mongodb://app:***@evil:27017/?authSource=admin&w=1")).toBe(true);
    expect(needsPasswordAgain(saved, "mongodb://root:***@h1:27017,h2:27017/?authSource=admin&w=1")).toBe(true);
    expect(needsPasswordAgain(saved, "mongodb://app:***@h1:27017,h2:27017/?authSource=admin&w=1&authMechanism=PLAIN")).toBe(true);
    expect(needsPasswordAgain(saved, "mongodb://app:***@h1:27017,h2:27017/?authSource=admin&w=1&tls=false")).toBe(true);
    expect(needsPasswordAgain("http://default:***@ch:8123", "http://default:***@some-other-host:8123")).toBe(true);
  });

  it("does not ask when only other options changed, or when the password was typed", () => {
    expect(needsPasswordAgain(saved, "mongodb://app:***@h1:27017,h2:27017/?w=majority&authSource=admin")).toBe(false);
    expect(needsPasswordAgain(saved, saved)).toBe(false);
    expect(needsPasswordAgain(saved, "mongodb://app@evil:27017/")).toBe(false);
  });
});
