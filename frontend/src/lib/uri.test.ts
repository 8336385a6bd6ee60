import { describe, expect, it } from "vitest";
import { splitPassword, withPassword } from "./uri";

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
