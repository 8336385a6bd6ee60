import { describe, expect, it } from "vitest";
import { breakPoints } from "./breaks";

describe("breakPoints", () => {
  it("lets a MongoDB URI wrap between hosts, path and options, never inside a host or an option", () => {
    expect(breakPoints("mongodb://app:***@h1.example.com:27017,h2.example.com:27017/?authSource=admin&replicaSet=rs0")).toEqual([
      "mongodb://",
      "app:***@",
      "h1.example.com:27017,",
      "h2.example.com:27017",
      "/",
      "?authSource=admin",
      "&replicaSet=rs0",
    ]);
  });

  it("lets a checkpoint wrap after its commas and semicolons", () => {
    expect(breakPoints('updated_at ≥ 2026-11-23T10:00:00Z, _id > {"$oid":"656f"}').join("|")).toBe(
      'updated_at ≥ 2026-11-23T10:00:00Z,| _id > {"$oid":"656f"}',
    );
  });

  it("keeps every character", () => {
    const text = "http://default:***@ch:8123/a/b?x=1&y=2#z";
    expect(breakPoints(text).join("")).toBe(text);
  });
});
