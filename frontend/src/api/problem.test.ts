import { describe, expect, it } from "vitest";
import { ApiError, errorMessage } from "./problem";

describe("ApiError.fieldErrors", () => {
  it("normalises ASP.NET and JSON-path keys to the form's field paths", () => {
    const error = new ApiError(400, {
      title: "One or more validation errors occurred.",
      errors: { "Source.Uri": ["Must start with mongodb://."], "$.intervalSeconds": ["Must be at least 1."], name: ["Required.", "Too short."] },
    });
    expect(error.fieldErrors).toEqual({
      "source.uri": "Must start with mongodb://.",
      intervalSeconds: "Must be at least 1.",
      name: "Required. Too short.",
    });
  });
});

describe("errorMessage", () => {
  it("joins a title that ends a sentence to its detail with a space, not a colon", () => {
    expect(errorMessage(new ApiError(404, { title: "Connector not found.", detail: "There is no connector with id 3." }))).toBe(
      "Connector not found. There is no connector with id 3.",
    );
    expect(errorMessage(new ApiError(409, { title: "Conflict", detail: "A connector named orders exists." }))).toBe(
      "Conflict: A connector named orders exists.",
    );
  });

  it("uses whichever of title and detail is there", () => {
    expect(errorMessage(new ApiError(502, { title: "Bad Gateway" }))).toBe("Bad Gateway");
    expect(errorMessage(new ApiError(500, { detail: "Disk full." }))).toBe("Disk full.");
  });
});
